import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { outboxEvents, sessionCookie, waitFor } from '@microtick/common/testing';
import type { OrderLimits } from './order-limits';
import { liveOrderCount } from './reserve-ticket';
import { insertOrder, insertTicket, testApp, useOrdersDatabase } from '../test-support';

const database = useOrdersDatabase();

function setup(limits: Partial<OrderLimits> = {}) {
  const app = testApp(database().db, { limits: { perMinute: 1_000, ...limits } });
  const buyer = { id: randomUUID() };
  const cookie = sessionCookie(buyer);
  const order = (ticketId: string) => request(app).post('/api/orders').set('Cookie', cookie).send({ ticketId });
  return { buyer, order };
}

const LIMIT_MESSAGE = 'You already have 5 unpaid orders: pay for or cancel one before reserving another ticket';

describe('live orders per user', () => {
  it('refuses a sixth unpaid order with a clear 400; paid and cancelled ones do not count', async () => {
    const { buyer, order } = setup({ maxLiveOrders: 5 });
    for (const status of ['complete', 'cancelled'] as const) await insertOrder(database().db, await insertTicket(database().db), { userId: buyer.id, status });
    for (let i = 0; i < 5; i++) expect((await order((await insertTicket(database().db)).id)).status).toBe(201);

    const sixth = await order((await insertTicket(database().db)).id);
    expect(sixth.status).toBe(400);
    expect(sixth.body).toEqual({ errors: [{ message: LIMIT_MESSAGE }] });
    // Another user is not affected.
    const other = await request(testApp(database().db))
      .post('/api/orders').set('Cookie', sessionCookie()).send({ ticketId: (await insertTicket(database().db)).id });
    expect(other.status).toBe(201);
  });

  it('writes nothing for an order refused at the limit: the limit is the condition of the insert itself', async () => {
    const { buyer, order } = setup({ maxLiveOrders: 2 });
    for (let i = 0; i < 2; i++) expect((await order((await insertTicket(database().db)).id)).status).toBe(201);
    const refusedTicket = await insertTicket(database().db);
    expect((await order(refusedTicket.id)).body).toEqual({ errors: [{ message: 'You already have 2 unpaid orders: pay for or cancel one before reserving another ticket' }] });

    const { rows } = await database().pool.query(`select user_id from orders where ticket_id = $1`, [refusedTicket.id]);
    expect(rows).toEqual([]);
    const staged = await outboxEvents(database().db);
    expect(staged.map((e) => e.type)).toEqual(['order:created', 'order:created']);
    expect(staged.every((e) => (e.data as { userId: string }).userId === buyer.id)).toBe(true);
    // Once one of them is cancelled, the buyer may order again.
    await database().pool.query(`update orders set status = 'cancelled' where id = (select id from orders where user_id = $1 limit 1)`, [buyer.id]);
    expect((await order(refusedTicket.id)).status).toBe(201);
  });

  it('holds when the requests race: with 4 live orders, five concurrent orders make exactly one more', async () => {
    const { buyer, order } = setup({ maxLiveOrders: 5 });
    for (let i = 0; i < 4; i++) await insertOrder(database().db, await insertTicket(database().db), { userId: buyer.id });
    const tickets = await Promise.all([1, 2, 3, 4, 5].map(() => insertTicket(database().db)));

    // Inserts into orders wait while another connection holds a SHARE lock on the table, but
    // reads do not: every contender is let in one by one and gets as far as it can before the
    // writes start, so an unguarded count-then-insert would see 4 live orders five times.
    const holder = await database().pool.connect();
    const blocked = async () => {
      const { rows } = await database().pool.query<{ count: number }>(
        `select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0]?.count ?? 0;
    };
    const racing: Promise<request.Response>[] = [];
    try {
      await holder.query('begin');
      await holder.query('lock table orders in share mode');
      for (const ticket of tickets) {
        racing.push(Promise.resolve(order(ticket.id)));
        await waitFor(async () => (await blocked()) === racing.length, { what: `contender ${racing.length} waiting` });
      }
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    const statuses = (await Promise.all(racing)).map((res) => res.status).sort();
    expect(statuses).toEqual([201, 400, 400, 400, 400]);
    const { rows } = await database().pool.query<{ count: number }>(`select count(*)::int as count from orders where user_id = $1 and status = 'created'`, [buyer.id]);
    expect(rows[0]?.count).toBe(5);
  });
});

describe('order rate limit per user', () => {
  it('answers 429 in the error shape beyond the limit, per user', async () => {
    const { order } = setup({ perMinute: 3, maxLiveOrders: 100 });
    for (let i = 0; i < 3; i++) expect((await order((await insertTicket(database().db)).id)).status).toBe(201);
    const limited = await order((await insertTicket(database().db)).id);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ message: 'Too many orders; try again in a minute' }] });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("counts only the buyer's unpaid orders, not every unpaid order, even before the table has statistics", async () => {
    // A young table (no ANALYZE yet) is where the planner used to AND the user index with the
    // expiry index, reading every unpaid order of everyone on each purchase.
    const others = await Promise.all(Array.from({ length: 20 }, () => insertTicket(database().db)));
    for (const ticket of others) await insertOrder(database().db, ticket);
    const { rows } = await database().pool.query<{ 'QUERY PLAN': unknown }>(`explain (format json) ${liveOrderCount('$1')}`, [randomUUID()]);
    const plan = JSON.stringify(rows[0]!['QUERY PLAN']);
    expect(plan).toContain('orders_unpaid_by_user_idx');
    expect(plan).not.toContain('orders_unpaid_by_expiry_idx');
  });
});
