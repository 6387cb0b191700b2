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

function setup() {
  const app = buildApp({ db: database.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: new OrderChangeFeed() });
  const buyer = { id: randomUUID() };
  const list = (cookie = sessionCookie(buyer)) => request(app).get('/api/orders').set('Cookie', cookie);
  return { app, buyer, list };
}

describe('GET /api/orders', () => {
  it("lists only the caller's orders, newest first, with their tickets", async () => {
    const { buyer, list } = setup();
    const first = await insertTicket(database.db, { title: 'First', priceCents: 1_050 });
    const second = await insertTicket(database.db, { title: 'Second', priceCents: 20_000 });
    const older = await insertOrder(database.db, first, { userId: buyer.id, status: 'cancelled', version: 1 });
    const newer = await insertOrder(database.db, second, { userId: buyer.id });
    await insertOrder(database.db, await insertTicket(database.db), { userId: randomUUID() });

    const res = await list();

    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: newer.id, userId: buyer.id, status: 'created', expiresAt: newer.expiresAt.toISOString(), version: 0, ticket: { id: second.id, title: 'Second', price: 200 } },
      { id: older.id, userId: buyer.id, status: 'cancelled', expiresAt: older.expiresAt.toISOString(), version: 1, ticket: { id: first.id, title: 'First', price: 10.5 } },
    ]);
  });

  it('answers an empty list to a user without orders', async () => {
    const { list } = setup();
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('requires a session', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/orders');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });
});
