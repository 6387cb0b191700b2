import Link from 'next/link';
import { OrderView } from '@/components/OrderView';
import { StatusPanel } from '@/components/StatusPanel';
import { apiGet, requireUser, runtimeEnv, unwrapOrFail } from '@/lib/server-api';
import type { Order } from '@/lib/types';

export const metadata = { title: 'Your order' };

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/orders/${id}`;
  await requireUser(path);
  const result = await apiGet<Order>(`/api/orders/${encodeURIComponent(id)}`);
  if (!result.ok && result.status === 401) {
    // Signed in, but the order is someone else's (SPEC §3: not owner → 401).
    return (
      <StatusPanel
        tone="warning"
        title="This order belongs to another account"
        actions={
          <Link href="/orders" className="button">
            My orders
          </Link>
        }
      />
    );
  }
  const order = unwrapOrFail(result, path);
  // The server's clock, for the countdown (the browser keeps the offset to its own clock).
  const serverNow = Date.now();
  // Read at request time so one build serves any environment (publishable keys are public).
  const stripeKey = runtimeEnv('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY') ?? null;

  return <OrderView order={order} serverNow={serverNow} stripeKey={stripeKey} />;
}
