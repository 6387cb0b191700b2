import { randomUUID } from 'node:crypto';
import { startListenerHarness, waitFor, type ListenerHarness } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { orders } from '../../db/schema';
import { FIXTURE_TIMEOUT_MS, startPaymentsFixture, waitForIdle, type PaymentsFixture } from '../../test-support';
import { paymentListeners } from '.';

/** order:completed and order:cancelled only record orders' decision in the replica (the settler acts on it). */
let fx: PaymentsFixture;
let harness: ListenerHarness;
beforeAll(async () => {
  fx = await startPaymentsFixture();
}, FIXTURE_TIMEOUT_MS);
afterAll(() => fx.close());
beforeEach(async () => {
  await fx.database.truncate();
  harness = await startListenerHarness({ service: 'payments', db: fx.database.db, listeners: paymentListeners });
});
afterEach(() => harness.stop());

const created = () => ({
  id: randomUUID(),
  version: 0,
  status: 'created' as const,
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  ticket: { id: randomUUID(), price: 19.99 },
});
const replicaOf = async (id: string) => (await fx.database.db.select().from(orders).where(eq(orders.id, id)))[0];

describe('order:completed / order:cancelled in payments', () => {
  it('records the completion and the accepted payment once, even when it overtook the creation', async () => {
    const order = created();
    const paymentId = randomUUID();
    const completed = await harness.publish('order:completed', { id: order.id, version: 1, userId: order.userId, paymentId, ticket: order.ticket });
    await harness.publish('order:created', order);
    await waitFor(async () => (await replicaOf(order.id))?.status === 'complete', { what: 'completion applied' });
    await harness.redeliver(completed);
    await waitForIdle(harness, 'order:completed');
    expect(await replicaOf(order.id)).toMatchObject({ status: 'complete', version: 1, completedByPaymentId: paymentId });
  });

  it('records a cancellation once; a later duplicate changes nothing', async () => {
    const order = created();
    await harness.publish('order:created', order);
    const cancelled = await harness.publish('order:cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    await waitFor(async () => (await replicaOf(order.id))?.status === 'cancelled', { what: 'cancellation applied' });
    await harness.redeliver(cancelled);
    await waitForIdle(harness, 'order:cancelled');
    expect(await replicaOf(order.id)).toMatchObject({ status: 'cancelled', version: 1, completedByPaymentId: null });
  });
});
