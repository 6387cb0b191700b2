import { randomUUID } from 'node:crypto';
import { waitFor } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { ordersReplica } from '../../db/schema';
import { usePaymentsFixture, usePaymentsListeners } from '../../test-support';

/** order:completed and order:cancelled only record orders' decision in the replica (the settler acts on it). */
const fx = usePaymentsFixture();
const listeners = usePaymentsListeners(fx);

const created = () => ({
  id: randomUUID(),
  version: 0,
  status: 'created' as const,
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  ticket: { id: randomUUID(), price: 19.99 },
});
const replicaOf = async (id: string) => (await fx.database.db.select().from(ordersReplica).where(eq(ordersReplica.id, id)))[0];

describe('order:completed / order:cancelled in payments', () => {
  it('records the completion and the accepted payment once, even when it overtook the creation', async () => {
    const harness = listeners();
    const order = created();
    const paymentId = randomUUID();
    const completed = await harness.publish('order:completed', { id: order.id, version: 1, userId: order.userId, paymentId, ticket: order.ticket });
    await harness.publish('order:created', order);
    await waitFor(async () => (await replicaOf(order.id))?.status === 'complete', { what: 'completion applied' });
    await harness.redeliver(completed);
    await harness.settled('order:completed');
    expect(await replicaOf(order.id)).toMatchObject({ status: 'complete', version: 1, completedByPaymentId: paymentId });
  });

  it('records a cancellation once; a later duplicate changes nothing', async () => {
    const harness = listeners();
    const order = created();
    await harness.publish('order:created', order);
    const cancelled = await harness.publish('order:cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    await waitFor(async () => (await replicaOf(order.id))?.status === 'cancelled', { what: 'cancellation applied' });
    await harness.redeliver(cancelled);
    await harness.settled('order:cancelled');
    expect(await replicaOf(order.id)).toMatchObject({ status: 'cancelled', version: 1, completedByPaymentId: null });
  });
});
