'use client';

import Link from 'next/link';
import { formatMoney } from '@/lib/money';
import { statusBadge } from '@/lib/order-state';
import type { Order } from '@/lib/types';
import { StatusBadge } from './StatusBadge';
import { useLiveOrders } from './useLiveOrders';
import styles from './OrderList.module.css';

/** "My orders": each order with its status, kept current as orders decide (useLiveOrders). */
export function OrderList({ initial, serverNow }: { initial: Order[]; serverNow: number }) {
  const { orders, now } = useLiveOrders(initial, serverNow);
  return (
    <ul className={styles.list} aria-label="Orders" data-testid="order-list">
      {orders.map((order) => {
        const badge = statusBadge(order.status, Date.parse(order.expiresAt) <= now);
        return (
          <li key={order.id} className={styles.row} data-testid="order-row" data-order-id={order.id}>
            <div className={styles.main}>
              <Link href={`/orders/${order.id}`} className={styles.title}>
                {order.ticket?.title ?? 'Ticket'}
              </Link>
              <span className={styles.meta}>Order {order.id.slice(0, 8)}</span>
            </div>
            <span className={styles.price}>{order.ticket ? formatMoney(order.ticket.price) : ''}</span>
            <StatusBadge label={badge.label} tone={badge.tone} testId="order-row-status" />
          </li>
        );
      })}
    </ul>
  );
}
