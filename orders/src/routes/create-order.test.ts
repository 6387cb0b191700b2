import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { openDatabase } from '@microtick/common';
import { outboxEvents, sessionCookie, testAppDeps, TEST_TICKET_CODE_KEYS, waitFor } from '@microtick/common/testing';
import { schema } from '../db/schema';
import { buildApp } from '../app';
import { OrderChangeFeed } from '../orders/order-changes';
import { createOrdersTestDatabase, insertOrder, insertTicket, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

const NOW = new Date('2030-01-01T12:00:00.000Z');

function setup({ windowSeconds = 900 } = {}) {
  const app = buildApp({ db: database.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: windowSeconds, orderChanges: new OrderChangeFeed(), now: () => NOW });
  const buyer = { id: randomUUID() };
  const order = (body: unknown, cookie = sessionCookie(buyer)) => request(app).post('/api/orders').set('Cookie', cookie).send(body as object);
  return { app, buyer, order };
}

describe('POST /api/orders', () => {
  it('reserves the ticket until now + the window and stages order:created in the same transaction', async () => {
    const { buyer, order } = setup({ windowSeconds: 60 });
    const ticket = await insertTicket(database.db, { title: 'Opera', priceCents: 1_999 });

    const res = await order({ ticketId: ticket.id });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      userId: buyer.id,
      status: 'created',
      expiresAt: '2030-01-01T12:01:00.000Z',
      version: 0,
      ticket: { id: ticket.id, title: 'Opera', price: 19.99 },
    });
    expect(await outboxEvents(database.db)).toMatchObject([
      {
        type: 'order:created',
        data: { id: res.body.id, version: 0, status: 'created', userId: buyer.id, expiresAt: '2030-01-01T12:01:00.000Z', ticket: { id: ticket.id, price: 19.99 } },
      },
    ]);
  });

  it('keeps prices exact in cents', async () => {
    const { order } = setup();
    for (const [cents, price] of [[7, 0.07], [1_010, 10.1], [123_456_789, 1_234_567.89]] as const) {
      const ticket = await insertTicket(database.db, { priceCents: cents });
      const res = await order({ ticketId: ticket.id });
      expect(res.body.ticket.price).toBe(price);
    }
    expect((await outboxEvents(database.db)).map((e) => (e.data as { ticket: { price: number } }).ticket.price)).toEqual([0.07, 10.1, 1_234_567.89]);
  });

  it('requires a session', async () => {
    const { app } = setup();
    const ticket = await insertTicket(database.db);
    const res = await request(app).post('/api/orders').send({ ticketId: ticket.id });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it.each([[{}], [{ ticketId: 42 }], [{ ticketId: null }]])('answers 400 naming ticketId for %j', async (body) => {
    const { order } = setup();
    const res = await order(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'ticketId must be provided', field: 'ticketId' }] });
  });

  it('answers 400 for malformed JSON', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/orders').set('Cookie', sessionCookie()).set('Content-Type', 'application/json').send('{"ticketId":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Malformed JSON in request body' }] });
  });

  it.each(['not-a-uuid', '', randomUUID()])('answers 404 for a malformed or unknown ticket id %j', async (ticketId) => {
    const { order } = setup();
    const res = await order({ ticketId });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Ticket not found' }] });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('refuses to sell a user their own ticket', async () => {
    const { buyer, order } = setup();
    const ticket = await insertTicket(database.db, { userId: buyer.id });
    const res = await order({ ticketId: ticket.id });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'You cannot buy your own ticket' }] });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it.each(['created', 'awaiting:payment', 'complete'] as const)('refuses a ticket that has a %s order', async (status) => {
    const { order } = setup();
    const ticket = await insertTicket(database.db);
    await insertOrder(database.db, ticket, { status });
    const res = await order({ ticketId: ticket.id });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Ticket is already reserved' }] });
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('sells a ticket again once its order was cancelled', async () => {
    const { order } = setup();
    const ticket = await insertTicket(database.db);
    await insertOrder(database.db, ticket, { status: 'cancelled', version: 1 });
    const res = await order({ ticketId: ticket.id });
    expect(res.status).toBe(201);
    expect(await outboxEvents(database.db)).toMatchObject([{ type: 'order:created', data: { id: res.body.id } }]);
  });

  it('gives exactly one of 50 concurrent buyers the ticket, all of them inside each other\'s check-then-insert window', async () => {
    // 50 requests "at once" reach Postgres spread over hundreds of milliseconds, so they would
    // rarely overlap. Instead, a held SHARE lock on orders lets every buyer read (the ticket, any
    // live order) but blocks every INSERT: all 50 have checked before any can write. Only the
    // partial unique index can then keep the ticket to one order; a check-then-insert gives 50.
    const contenders = openDatabase({ url: database.url, schema, poolSize: 55 });
    const app = buildApp({ db: contenders.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: new OrderChangeFeed(), now: () => NOW });
    const ticket = await insertTicket(database.db);
    const holder = await database.pool.connect();
    const server = app.listen(0);
    try {
      await holder.query('begin');
      await holder.query('lock table orders in share mode');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const racing = Array.from({ length: 50 }, () =>
        Promise.resolve(request(url).post('/api/orders').set('Cookie', sessionCookie()).send({ ticketId: ticket.id })),
      );
      await waitFor(
        async () => {
          const { rows } = await database.pool.query<{ count: number }>(
            `select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
          return rows[0]?.count === 50;
        },
        { what: 'all 50 buyers blocked on their insert', timeoutMs: 20_000 },
      );
      await holder.query('commit');
      const responses = await Promise.all(racing);

      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      const rejected = responses.filter((r) => r.status !== 201);
      expect(rejected).toHaveLength(49);
      for (const r of rejected) expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: { errors: [{ message: 'Ticket is already reserved' }] } });
      expect(await outboxEvents(database.db)).toHaveLength(1);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
      await new Promise((resolve) => server.close(resolve));
      await contenders.close();
    }
  }, 60_000);

});
