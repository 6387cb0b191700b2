import { eq } from 'drizzle-orm';
import { ticketsReplica } from '../db/schema';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { sessionCookie, testAppDeps, TEST_TICKET_CODE_KEYS } from '@microtick/common/testing';
import { buildApp } from '../app';
import { OrderChangeFeed } from '../orders/order-changes';
import { createOrdersTestDatabase, insertOrder, insertTicket, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

async function setup() {
  const app = buildApp({ db: database.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: new OrderChangeFeed() });
  const buyer = { id: randomUUID() };
  const ticket = await insertTicket(database.db, { title: 'Ballet', priceCents: 4_599 });
  const order = await insertOrder(database.db, ticket, { userId: buyer.id });
  const show = (id: string, cookie = sessionCookie(buyer)) => request(app).get(`/api/orders/${id}`).set('Cookie', cookie);
  return { app, buyer, ticket, order, show };
}

describe('GET /api/orders/:id', () => {
  it('shows the owner their order with its ticket', async () => {
    const { buyer, ticket, order, show } = await setup();
    const res = await show(order.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: order.id,
      userId: buyer.id,
      status: 'created',
      expiresAt: order.expiresAt.toISOString(),
      version: 0,
      ticket: { id: ticket.id, title: 'Ballet', price: 45.99 },
    });
  });

  it('shows the price at order time, not what the ticket costs now', async () => {
    const { ticket, order, show } = await setup();
    // The seller's edit reached the replica after the order was placed (it can, before tickets locks the ticket).
    await database.db.update(ticketsReplica).set({ priceCents: 9_999, version: 1 }).where(eq(ticketsReplica.id, ticket.id));
    const res = await show(order.id);
    expect(res.body.ticket).toEqual({ id: ticket.id, title: 'Ballet', price: 45.99 });
  });

  it("answers 401 for someone else's order", async () => {
    const { order, show } = await setup();
    const res = await show(order.id, sessionCookie({ id: randomUUID() }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it.each(['not-a-uuid', randomUUID()])('answers 404 for a malformed or unknown id %j', async (id) => {
    const { show } = await setup();
    const res = await show(id);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Order not found' }] });
  });

  it('requires a session', async () => {
    const { app, order } = await setup();
    const res = await request(app).get(`/api/orders/${order.id}`);
    expect(res.status).toBe(401);
  });
});
