import Link from 'next/link';
import { EmptyState } from '@/components/EmptyState';
import { OrderList } from '@/components/OrderList';
import { apiGetOrFail, requireUser } from '@/lib/server-api';
import type { Order } from '@/lib/types';

export const metadata = { title: 'My orders' };

export default async function OrdersPage() {
  await requireUser('/orders');
  const data = await apiGetOrFail<Order[]>('/api/orders', '/orders');
  const orders = Array.isArray(data) ? data : [];

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
        <OrderList initial={orders} serverNow={Date.now()} />
      )}
    </>
  );
}
