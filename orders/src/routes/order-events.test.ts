import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { openDatabase } from '@microtick/common';
import { sessionCookie, silentLogger, testAppDeps, TEST_TICKET_CODE_KEYS } from '@microtick/common/testing';
import { buildApp } from '../app';
import request from 'supertest';
import { orders, schema } from '../db/schema';
import { OrderChangeFeed } from '../orders/order-changes';
import { createOrdersTestDatabase, insertOrder, insertTicket, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
let feed: OrderChangeFeed;
let server: Server;
let base: string;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
  feed = new OrderChangeFeed();
  await feed.start(database.pool, silentLogger);
  server = buildApp({ db: database.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: feed }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await feed.stop();
  await database.close();
});
beforeEach(() => database.truncate());

interface SseEvent {
  event: string;
  id?: string;
  data: { status: string; version: number; id: string; ticket: { price: number } };
}

/** Opens the stream and collects its events until it ends (or `stop()` is called). */
async function openStream(orderId: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/orders/${orderId}/events`, { headers: { cookie }, signal: controller.signal });
  const events: SseEvent[] = [];
  let ended = false;
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields['event']) events.push({ event: fields['event'], id: fields['id'], data: JSON.parse(fields['data']!) });
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  const until = async (probe: () => boolean, what: string) => {
    for (let i = 0; i < 400 && !probe(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!probe()) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
  };
  return { res, events, done, isEnded: () => ended, until, stop: () => controller.abort() };
}

async function setup() {
  const buyer = { id: randomUUID() };
  const ticket = await insertTicket(database.db, { priceCents: 1_500 });
  const order = await insertOrder(database.db, ticket, { userId: buyer.id });
  return { order, cookie: sessionCookie(buyer) };
}

describe('GET /api/orders/:id/events', () => {
  it('sends the order on connect and after each committed change, whoever made it, and ends after a terminal status', async () => {
    const { order, cookie } = await setup();
    const stream = await openStream(order.id, cookie);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.until(() => stream.events.length === 1, 'the snapshot');
    expect(stream.events[0]).toMatchObject({ event: 'order', id: '0', data: { id: order.id, status: 'created', version: 0, ticket: { price: 15 } } });

    // A change committed by another connection (a listener, another replica): the trigger tells us.
    await database.db.update(orders).set({ status: 'awaiting:payment', version: 1 }).where(eq(orders.id, order.id));
    await stream.until(() => stream.events.length === 2, 'the first change');
    await database.db.update(orders).set({ status: 'complete', version: 2 }).where(eq(orders.id, order.id));
    await stream.done;
    expect(stream.events.map((e) => [e.data.status, e.data.version])).toEqual([['created', 0], ['awaiting:payment', 1], ['complete', 2]]);
  });

  it('sends a terminal order once and ends at once; a reconnect gets a fresh snapshot', async () => {
    const { order, cookie } = await setup();
    await database.db.update(orders).set({ status: 'cancelled', version: 1 }).where(eq(orders.id, order.id));
    for (let i = 0; i < 2; i++) {
      const stream = await openStream(order.id, cookie);
      await stream.done;
      expect(stream.events.map((e) => e.data.status)).toEqual(['cancelled']);
    }
  });

  it('keeps watching after a client goes away and another comes', async () => {
    const { order, cookie } = await setup();
    const first = await openStream(order.id, cookie);
    await first.until(() => first.events.length === 1, 'first snapshot');
    first.stop();
    const second = await openStream(order.id, cookie);
    await second.until(() => second.events.length === 1, 'second snapshot');
    await database.db.update(orders).set({ status: 'cancelled', version: 1 }).where(eq(orders.id, order.id));
    await second.done;
    expect(second.events.map((e) => e.data.version)).toEqual([0, 1]);
  });

  it('streams a change another orders replica made (its own pool and LISTEN connection)', async () => {
    const { order, cookie } = await setup();
    // A second replica: its own connection pool and change feed, on the same database.
    const replica = openDatabase({ url: database.url, schema, poolSize: 2 });
    const otherFeed = new OrderChangeFeed();
    await otherFeed.start(replica.pool, silentLogger);
    const other = buildApp({ db: replica.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: otherFeed });
    try {
      const stream = await openStream(order.id, cookie);
      await stream.until(() => stream.events.length === 1, 'the snapshot');
      const res = await request(other).delete(`/api/orders/${order.id}`).set('Cookie', cookie);
      expect(res.status).toBe(204);
      await stream.done;
      expect(stream.events.map((e) => e.data.status)).toEqual(['created', 'cancelled']);
    } finally {
      await otherFeed.stop();
      await replica.close();
    }
  });

  it('sends a change committed while its LISTEN connection was lost, once it listens again', async () => {
    const { order, cookie } = await setup();
    const stream = await openStream(order.id, cookie);
    await stream.until(() => stream.events.length === 1, 'the snapshot');
    const listening = () => database.pool.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and query = 'listen microtick_order_changed'`);
    const [lost] = (await listening()).rows;
    await database.pool.query('select pg_terminate_backend($1)', [lost!.pid]);
    // Committed while nobody listens (the feed listens again after a second): its NOTIFY is lost.
    await database.db.update(orders).set({ status: 'cancelled', version: 1 }).where(eq(orders.id, order.id));
    await stream.done;
    expect(stream.events.map((e) => [e.data.status, e.data.version])).toEqual([['created', 0], ['cancelled', 1]]);
  });

  it('answers 401 / 404 in the JSON error shape before any stream starts', async () => {
    const { order } = await setup();
    const cases: [string, string | undefined, number, string][] = [
      [order.id, sessionCookie(), 401, 'Not authorized'],
      [order.id, undefined, 401, 'Not authorized'],
      [randomUUID(), sessionCookie(), 404, 'Order not found'],
      ['not-a-uuid', sessionCookie(), 404, 'Order not found'],
    ];
    for (const [id, cookie, status, message] of cases) {
      const res = await fetch(`${base}/api/orders/${id}/events`, { headers: cookie ? { cookie } : {} });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/json/);
      expect(await res.json()).toEqual({ errors: [{ message }] });
    }
  });
});
