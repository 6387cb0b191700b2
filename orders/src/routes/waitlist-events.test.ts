import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { sessionCookie, testAppDeps, TEST_TICKET_CODE_KEYS, waitFor } from '@microtick/common/testing';
import { buildApp } from '../app';
import { OrderChangeFeed } from '../orders/order-changes';
import { cancelOrder } from '../orders/transitions';
import { createOrdersTestDatabase, insertOrder, insertTicket, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

interface Stream {
  status: number;
  contentType: string | undefined;
  /** Every `event: waitlist` payload received so far. */
  events: unknown[];
  close(): void;
  ended: Promise<void>;
}

/** Opens the event stream over a real socket and collects its `waitlist` events. */
function openStream(port: number, cookie: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ port, path: '/api/orders/waitlist/events', headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (res) => {
      const events: unknown[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: waitlist') && data) events.push(JSON.parse(data.slice('data: '.length)));
        }
      });
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], events, close: () => req.destroy(), ended });
    });
    req.on('error', reject);
  });
}

async function serve(isAcceptingTraffic = () => true) {
  const app = buildApp({ db: database.db, ...testAppDeps(), expirationWindowSeconds: 900, ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, orderChanges: new OrderChangeFeed(), offerWindowSeconds: 60, isAcceptingTraffic });
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  return { app, server, port: (server.address() as AddressInfo).port };
}

describe('GET /api/orders/waitlist/events', () => {
  it('sends my entries on connect and again when a commit changes them, my place included', async () => {
    const { app, server, port } = await serve();
    try {
      const ticket = await insertTicket(database.db);
      const holder = await insertOrder(database.db, ticket);
      const [me, ahead] = [{ id: randomUUID() }, { id: randomUUID() }];
      await request(app).post('/api/orders/waitlist').set('Cookie', sessionCookie(ahead)).send({ ticketId: ticket.id });

      const stream = await openStream(port, sessionCookie(me));
      expect(stream.status).toBe(200);
      expect(stream.contentType).toBe('text/event-stream');
      await waitFor(() => stream.events.length === 1, { what: 'the first event' });
      expect(stream.events[0]).toEqual([]);

      await request(app).post('/api/orders/waitlist').set('Cookie', sessionCookie(me)).send({ ticketId: ticket.id });
      await waitFor(() => stream.events.length === 2, { what: 'the join' });
      expect(stream.events[1]).toEqual([{ ticketId: ticket.id, position: 2, status: 'waiting' }]);

      // Someone else's offer moves me up: ahead is offered; I am still second.
      await database.db.transaction((tx) => cancelOrder(tx, holder));
      // ahead leaves during their offer: the offer is mine, and I hear of it without asking.
      await request(app).delete(`/api/orders/waitlist/${ticket.id}`).set('Cookie', sessionCookie(ahead));
      await waitFor(() => JSON.stringify(stream.events.at(-1)).includes('offered'), { what: 'my offer' });
      expect(stream.events.at(-1)).toEqual([{ ticketId: ticket.id, position: 1, status: 'offered', offerExpiresAt: expect.any(String) }]);
      stream.close();
      await stream.ended;
    } finally {
      server.close();
    }
  });

  it('listens again when its LISTEN connection is lost, and reads afresh', async () => {
    const { app, server, port } = await serve();
    try {
      const ticket = await insertTicket(database.db);
      await insertOrder(database.db, ticket);
      const me = { id: randomUUID() };
      const stream = await openStream(port, sessionCookie(me));
      await waitFor(() => stream.events.length === 1, { what: 'the first event' });
      const listeners = () =>
        database.pool.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen microtick_waitlist%'`);
      const [lost] = (await listeners()).rows;
      await database.pool.query('select pg_terminate_backend($1)', [lost!.pid]);
      await waitFor(async () => (await listeners()).rows.some((row) => row.pid !== lost!.pid), { what: 'a new LISTEN connection' });

      await request(app).post('/api/orders/waitlist').set('Cookie', sessionCookie(me)).send({ ticketId: ticket.id });
      await waitFor(() => JSON.stringify(stream.events.at(-1)).includes(ticket.id), { what: 'the join, heard on the new connection' });
      stream.close();
      await stream.ended;
    } finally {
      server.close();
    }
  });

  it('ends open streams when the service starts shutting down, so the server can close', async () => {
    let accepting = true;
    const { server, port } = await serve(() => accepting);
    const stream = await openStream(port, sessionCookie({ id: randomUUID() }));
    await waitFor(() => stream.events.length === 1, { what: 'the first event' });
    accepting = false;
    await stream.ended;
    await new Promise((resolve) => server.close(resolve));
  });

  it('needs a session', async () => {
    const { app, server } = await serve();
    server.close();
    const res = await request(app).get('/api/orders/waitlist/events');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: expect.any(String) }] });
  });
});
