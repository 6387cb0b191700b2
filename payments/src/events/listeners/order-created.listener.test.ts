import { randomUUID } from 'node:crypto';
import type { OrderCreated } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { ordersReplica } from '../../db/schema';
import { orderCreated as orderCreatedListener } from './order-created.listener';
import { usePaymentsFixture, usePaymentsListeners } from '../../test-support';

const fx = usePaymentsFixture();
const listeners = usePaymentsListeners(fx);

const orderCreated = (overrides: Partial<OrderCreated> = {}): OrderCreated => ({
  id: randomUUID(),
  version: 0,
  status: 'created',
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  ticket: { id: randomUUID(), price: 4.35 },
  ...overrides,
});
const replicaOf = async (id: string) => (await fx.database.db.select().from(ordersReplica).where(eq(ordersReplica.id, id)))[0];

describe('order:created', () => {
  it('starts the replica with the owner, the deadline and the price in exact cents', async () => {
    const data = orderCreated();
    await listeners().publish('order:created', data);

    const order = await waitFor(() => replicaOf(data.id), { what: 'replica row' });
    expect(order).toMatchObject({
      version: 0,
      status: 'created',
      userId: data.userId,
      expiresAt: new Date(data.expiresAt),
      priceCents: 435, // 4.35 * 100 is 434.99999999999994 in floating point
    });
  });

  it('changes nothing when the same event comes twice, or an older copy after a change', async () => {
    const data = orderCreated();
    const harness = listeners();
    const envelope = await harness.publish('order:created', data);
    await waitFor(() => replicaOf(data.id), { what: 'replica row' });
    // A later change the duplicate must not undo.
    await fx.database.db.update(ordersReplica).set({ status: 'cancelled', version: 1 }).where(eq(ordersReplica.id, data.id));

    await harness.redeliver(envelope);
    await harness.publish('order:created', data);
    await harness.settled('order:created');

    expect(await replicaOf(data.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await fx.database.db.select().from(ordersReplica)).toHaveLength(1);
  });

  it('applies the orders of one window together, in one transaction, with the usual de-duplication', async () => {
    const handleBatch = jest.spyOn(orderCreatedListener, 'handleBatch');
    try {
      const harness = listeners();
      const first = orderCreated();
      const envelope = await harness.publish('order:created', first);
      await waitFor(() => replicaOf(first.id), { what: 'first replica row' });
      const later = Array.from({ length: 12 }, () => orderCreated());
      // A copy of the applied event rides along: claimed already, so handled as a duplicate.
      await Promise.all([harness.redeliver(envelope), ...later.map((data) => harness.publish('order:created', data))]);
      await harness.settled('order:created');

      for (const data of later) expect(await replicaOf(data.id)).toMatchObject({ version: 0, userId: data.userId, priceCents: 435 });
      expect(await fx.database.db.select().from(ordersReplica)).toHaveLength(13);
      // At least one window held several events, and no batch was given the applied one again.
      const batches = handleBatch.mock.calls.map(([events]) => events.map((event) => event.data.id));
      expect(batches.some((ids) => ids.length > 1)).toBe(true);
      expect(batches.flat()).not.toContain(first.id);
    } finally {
      handleBatch.mockRestore();
    }
  });
});
