import { randomUUID } from 'node:crypto';
import type { OrderCreated } from '@microtick/common';
import { startListenerHarness, waitFor, type ListenerHarness } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { orders } from '../../db/schema';
import { FIXTURE_TIMEOUT_MS, startPaymentsFixture, waitForIdle, type PaymentsFixture } from '../../test-support';
import { paymentListeners } from '.';

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

const orderCreated = (overrides: Partial<OrderCreated> = {}): OrderCreated => ({
  id: randomUUID(),
  version: 0,
  status: 'created',
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  ticket: { id: randomUUID(), price: 4.35 },
  ...overrides,
});
const replicaOf = async (id: string) => (await fx.database.db.select().from(orders).where(eq(orders.id, id)))[0];

describe('order:created', () => {
  it('starts the replica with the owner, the deadline and the price in exact cents', async () => {
    const data = orderCreated();
    await harness.publish('order:created', data);

    const order = await waitFor(() => replicaOf(data.id), { what: 'replica row' });
    expect(order).toEqual({
      completedByPaymentId: null,
      id: data.id,
      version: 0,
      status: 'created',
      userId: data.userId,
      expiresAt: new Date(data.expiresAt),
      priceCents: 435, // 4.35 * 100 is 434.99999999999994 in floating point
    });
  });

  it('changes nothing when the same event comes twice, or an older copy after a change', async () => {
    const data = orderCreated();
    const envelope = await harness.publish('order:created', data);
    await waitFor(() => replicaOf(data.id), { what: 'replica row' });
    // A later change the duplicate must not undo.
    await fx.database.db.update(orders).set({ status: 'cancelled', version: 1 }).where(eq(orders.id, data.id));

    await harness.redeliver(envelope);
    await harness.publish('order:created', data);
    await waitForIdle(harness, 'order:created');

    expect(await replicaOf(data.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await fx.database.db.select().from(orders)).toHaveLength(1);
  });
});
