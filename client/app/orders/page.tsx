import Link from 'next/link';
import { EmptyState } from '@/components/EmptyState';
import { StatusBadge } from '@/components/StatusBadge';
import { formatMoney } from '@/lib/money';
import { statusBadge } from '@/lib/order-state';
import { apiGetOrFail, requireUser } from '@/lib/server-api';
import type { Order } from '@/lib/types';
import styles from './orders.module.css';

export const metadata = { title: 'My orders' };

export default async function OrdersPage() {
  await requireUser('/orders');
  const data = await apiGetOrFail<Order[]>('/api/orders', '/orders');
  const orders = Array.isArray(data) ? data : [];
  const now = Date.now();

  return (
    <>
      <h1>My orders</h1>
      <p className="muted">Tickets you’ve reserved or bought, newest first.</p>
      {orders.length === 0 ? (
        <EmptyState title="No orders yet" testId="orders-empty">
          <p>When you buy a ticket, your order shows up here.</p>
          <Link href="/" className="button">
            Browse tickets
          </Link>
        </EmptyState>
      ) : (
        <ul className={styles.list} aria-label="Orders" data-testid="order-list">
          {orders.map((order) => {
            const badge = statusBadge(order.status, Date.parse(order.expiresAt) <= now);
            return (
              <li key={order.id} className={styles.row} data-testid="order-row">
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
      )}
    </>
  );
}
