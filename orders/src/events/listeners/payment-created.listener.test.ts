import { randomUUID } from 'node:crypto';
import { outboxEvents, type ListenerHarness } from '@microtick/common/testing';
import { createOrdersTestDatabase, insertOrder, insertTicket, readOrder, startOrdersListeners, waitUntilSettled, type OrdersTestDatabase } from '../../test-fixtures';

let database: OrdersTestDatabase;
let harness: ListenerHarness;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(async () => {
  await database.truncate();
  harness = await startOrdersListeners(database.db);
});
afterEach(() => harness.stop());

async function pay(order: { id: string }) {
  const event = await harness.publish('payment:created', { id: randomUUID(), orderId: order.id, stripeId: `pi_${randomUUID()}` });
  await waitUntilSettled(harness, event);
  return event;
}

describe('payment:created', () => {
  it.each(['created', 'awaiting:payment'] as const)('completes a %s order, bumping its version without publishing', async (status) => {
    const order = await insertOrder(database.db, await insertTicket(database.db), { status });
    await pay(order);
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('applies a delivery that arrives twice only once', async () => {
    const order = await insertOrder(database.db, await insertTicket(database.db));
    const event = await pay(order);
    await harness.redeliver(event);
    await waitUntilSettled(harness, event);
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'complete', version: 1 });
  });

  it('leaves a cancelled order cancelled (payments refunds that charge)', async () => {
    const order = await insertOrder(database.db, await insertTicket(database.db), { status: 'cancelled', version: 1 });
    await pay(order);
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('settles a payment racing an expiration with exactly one outcome per order', async () => {
    const ticketsAndOrders = await Promise.all(
      Array.from({ length: 20 }, async () => insertOrder(database.db, await insertTicket(database.db))),
    );
    const events = await Promise.all(
      ticketsAndOrders.flatMap((order) => [
        harness.publish('payment:created', { id: randomUUID(), orderId: order.id, stripeId: `pi_${randomUUID()}` }),
        harness.publish('expiration:complete', { orderId: order.id }),
      ]),
    );
    for (const event of events.slice(0, 2)) await waitUntilSettled(harness, event);

    const settled = await Promise.all(ticketsAndOrders.map((order) => readOrder(database.db, order.id)));
    expect(settled.every((row) => row?.status === 'complete' || row?.status === 'cancelled')).toBe(true);
    const cancelledIds = settled.filter((row) => row?.status === 'cancelled').map((row) => row?.id);
    expect(settled.every((row) => row?.version === 1)).toBe(true);
    // Only the cancellations are published, each once.
    const published = (await outboxEvents(database.db)).map((event) => (event.data as { id: string }).id);
    expect(published.sort()).toEqual(cancelledIds.sort());
  });
});
