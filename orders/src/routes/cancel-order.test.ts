import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { outboxEvents, sessionCookie, testAppDeps, TEST_TICKET_CODE_KEYS } from '@microtick/common/testing';
import { buildApp } from '../app';
import { OrderChangeFeed } from '../orders/order-changes';
import { createOrdersTestDatabase, insertOrder, insertTicket, raceOnOrder, readOrder, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

async function setup(order: Parameters<typeof insertOrder>[2] = {}) {
  const app = buildApp({ db: database.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: new OrderChangeFeed() });
  const buyer = { id: randomUUID() };
  const ticket = await insertTicket(database.db);
  const placed = await insertOrder(database.db, ticket, { userId: buyer.id, ...order });
  const cancel = (id = placed.id, cookie = sessionCookie(buyer)) => request(app).delete(`/api/orders/${id}`).set('Cookie', cookie);
  return { app, ticket, order: placed, cancel };
}

describe('DELETE /api/orders/:id', () => {
  it.each(['created', 'awaiting:payment'] as const)('cancels a %s order and stages order:cancelled with the next version', async (status) => {
    const { ticket, order, cancel } = await setup({ status });

    const res = await cancel();

    expect(res.status).toBe(204);
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database.db)).toMatchObject([{ type: 'order:cancelled', data: { id: order.id, version: 1, ticket: { id: ticket.id } } }]);
  });

  it('refuses to cancel a complete order and changes nothing', async () => {
    const { order, cancel } = await setup({ status: 'complete', version: 1 });
    const res = await cancel();
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'A completed order cannot be cancelled' }] });
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('answers 204 again for a cancelled order and publishes nothing new', async () => {
    const { order, cancel } = await setup({ status: 'cancelled', version: 1 });
    const res = await cancel();
    expect(res.status).toBe(204);
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('cancels once when the buyer sends many cancellations at once', async () => {
    const { order, cancel } = await setup();
    const responses = await raceOnOrder(database, order.id, Array.from({ length: 10 }, () => () => cancel()));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(204));
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database.db)).toHaveLength(1);
  });

  it("answers 401 for someone else's order and leaves it alone", async () => {
    const { order, cancel } = await setup();
    const res = await cancel(order.id, sessionCookie({ id: randomUUID() }));
    expect(res.status).toBe(401);
    expect(await readOrder(database.db, order.id)).toMatchObject({ status: 'created', version: 0 });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it.each(['not-a-uuid', randomUUID()])('answers 404 for a malformed or unknown id %j', async (id) => {
    const { cancel } = await setup();
    const res = await cancel(id);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Order not found' }] });
  });

  it('requires a session', async () => {
    const { app, order } = await setup();
    const res = await request(app).delete(`/api/orders/${order.id}`);
    expect(res.status).toBe(401);
    expect(await outboxEvents(database.db)).toEqual([]);
  });
});
