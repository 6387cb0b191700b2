/**
 * The waiting list across services, without the gateway: orders (its routes, outbox relay and
 * listeners on a test database) and expiration (its listeners and worker on Redis) on one real
 * JetStream stream, with 2-second windows. Three buyers wait for a ticket whose reservation
 * lapses: each gets an exclusive offer in turn, each unused offer passes on when expiration's
 * timer fires, and after the last one the ticket is on sale to everyone.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ListenerRunner, OutboxRelay, PostgresListenerStore, ServiceMetrics } from '@microtick/common';
import { sessionCookie, silentLogger, testAppDeps, TEST_TICKET_CODE_KEYS, waitFor } from '@microtick/common/testing';
import { createExpirationTestKit, type ExpirationTestKit } from '../expiration/src/test-support';
import { buildApp } from '../orders/src/app';
import { OrderChangeFeed } from '../orders/src/orders/order-changes';
import { listeners as ordersListeners } from '../orders/src/events/listeners';
import { createOrdersTestDatabase, insertTicket, type OrdersTestDatabase } from '../orders/src/test-support';
import { sweepOverdueOffers } from '../orders/src/waitlist/offer-sweep';
import { OFFERED_TO_SOMEONE_ELSE } from '../orders/src/waitlist/offers';

const WINDOW_SECONDS = 2;

let database: OrdersTestDatabase;
let kit: ExpirationTestKit;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());

beforeEach(async () => {
  await database.truncate();
  kit = await createExpirationTestKit();
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await kit.destroy();
});

/** Orders' relay and listeners on the kit's stream; with `expiration`, expiration's listeners and worker too. */
async function startServices({ expiration = true } = {}) {
  const relay = new OutboxRelay({ pool: database.pool, bus: kit.bus, logger: silentLogger });
  await relay.start();
  stops.push(() => relay.stop());
  const runner = new ListenerRunner({ service: 'orders', bus: kit.bus, store: new PostgresListenerStore(database.db), listeners: ordersListeners, logger: silentLogger, metrics: new ServiceMetrics('orders') });
  await runner.start();
  stops.push(() => runner.stop());
  if (expiration) {
    await kit.startWorker();
    await kit.startListeners();
  }
  const app = buildApp({ db: database.db, ...testAppDeps(), expirationWindowSeconds: WINDOW_SECONDS, ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, orderChanges: new OrderChangeFeed(), offerWindowSeconds: WINDOW_SECONDS });
  const as = (user: { id: string }) => {
    const cookie = sessionCookie(user);
    return {
      order: (ticketId: string) => request(app).post('/api/orders').set('Cookie', cookie).send({ ticketId }),
      cancel: (orderId: string) => request(app).delete(`/api/orders/${orderId}`).set('Cookie', cookie),
      showOrder: (orderId: string) => request(app).get(`/api/orders/${orderId}`).set('Cookie', cookie),
      join: (ticketId: string) => request(app).post('/api/orders/waitlist').set('Cookie', cookie).send({ ticketId }),
      entries: async () => (await request(app).get('/api/orders/waitlist').set('Cookie', cookie)).body as { ticketId: string; position: number; status: string; offerExpiresAt?: string }[],
    };
  };
  return { as };
}

const user = () => ({ id: randomUUID() });

it('offers a lapsed reservation to three waiting buyers in order, each exclusively, passing each unused offer on', async () => {
  const { as } = await startServices();
  const ticket = await insertTicket(database.db);
  const [holder, first, second, third, stranger] = [user(), user(), user(), user(), user()].map(as) as [ReturnType<typeof as>, ...ReturnType<typeof as>[]];
  const [a, b, c, s] = [first!, second!, third!, stranger!];

  const reserved = await holder.order(ticket.id);
  expect(reserved.status).toBe(201);
  expect((await a.join(ticket.id)).body).toEqual({ position: 1 });
  expect((await b.join(ticket.id)).body).toEqual({ position: 2 });
  expect((await c.join(ticket.id)).body).toEqual({ position: 3 });

  const offeredTo = async (who: typeof a) => (await who.entries())[0]?.status === 'offered';
  const refusedToEveryoneBut = async (allowed: typeof a) => {
    for (const other of [a, b, c, s].filter((who) => who !== allowed)) {
      const attempt = await other.order(ticket.id);
      expect(attempt.status).toBe(400);
      expect(attempt.body).toEqual({ errors: [{ message: OFFERED_TO_SOMEONE_ELSE }] });
    }
  };

  // The reservation lapses (expiration:complete): the first in line has the ticket to themselves.
  await waitFor(() => offeredTo(a), { timeoutMs: 20_000, what: 'the first offer' });
  expect((await holder.showOrder(reserved.body.id)).body.status).toBe('cancelled');
  expect(await a.entries()).toEqual([{ ticketId: ticket.id, position: 1, status: 'offered', offerExpiresAt: expect.any(String) }]);
  expect(await b.entries()).toEqual([{ ticketId: ticket.id, position: 2, status: 'waiting' }]);
  expect(await c.entries()).toEqual([{ ticketId: ticket.id, position: 3, status: 'waiting' }]);
  await refusedToEveryoneBut(a);

  // Unused, it passes to the second (expiration:offer-expired), then to the third.
  await waitFor(() => offeredTo(b), { timeoutMs: 20_000, what: 'the second offer' });
  expect((await a.entries())[0]).toMatchObject({ status: 'expired', position: 1 });
  expect((await c.entries())[0]).toMatchObject({ status: 'waiting', position: 2 });
  await refusedToEveryoneBut(b);

  await waitFor(() => offeredTo(c), { timeoutMs: 20_000, what: 'the third offer' });
  expect((await b.entries())[0]).toMatchObject({ status: 'expired' });
  await refusedToEveryoneBut(c);

  // The third orders it: their entry ends; the ticket is theirs, so nobody else can order it.
  const ordered = await c.order(ticket.id);
  expect(ordered.status).toBe(201);
  expect((await c.entries())[0]).toMatchObject({ status: 'ended' });
  expect((await s.order(ticket.id)).body).toEqual({ errors: [{ message: 'Ticket is already reserved' }] });

  // They give it up and nobody is left in line: it is on sale to all.
  expect((await c.cancel(ordered.body.id)).status).toBe(204);
  expect((await s.order(ticket.id)).status).toBe(201);
}, 90_000);

it('lapses an offer whose expiration event never comes, through orders\' sweep, and offers to the next', async () => {
  const { as } = await startServices({ expiration: false });
  const ticket = await insertTicket(database.db);
  const [holder, a, b] = [as(user()), as(user()), as(user())];
  const reserved = await holder.order(ticket.id);
  await a.join(ticket.id);
  await b.join(ticket.id);
  expect((await holder.cancel(reserved.body.id)).status).toBe(204);
  expect((await a.entries())[0]?.status).toBe('offered');

  // Before deadline + grace the sweep leaves it alone; after, it lapses it.
  expect(await sweepOverdueOffers({ db: database.db, graceSeconds: 1 })).toBe(0);
  await waitFor(async () => (await sweepOverdueOffers({ db: database.db, graceSeconds: 1 })) === 1, { timeoutMs: 10_000, what: 'the sweep to lapse the offer' });
  expect((await a.entries())[0]?.status).toBe('expired');
  expect((await b.entries())[0]?.status).toBe('offered');
});
