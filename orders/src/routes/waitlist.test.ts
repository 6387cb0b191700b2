import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { outboxEvents, sessionCookie, testAppDeps, TEST_TICKET_CODE_KEYS } from '@microtick/common/testing';
import { buildApp } from '../app';
import { OrderChangeFeed } from '../orders/order-changes';
import { waitlistEntries } from '../db/waitlist-schema';
import { cancelOrder } from '../orders/transitions';
import { lapseOffer } from '../waitlist/offers';
import { createOrdersTestDatabase, insertOrder, insertTicket, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

function setup() {
  const app = buildApp({ db: database.db, ...testAppDeps(), expirationWindowSeconds: 900, ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, orderChanges: new OrderChangeFeed(), offerWindowSeconds: 120 });
  const as = (user = { id: randomUUID() }) => {
    const cookie = sessionCookie(user);
    return {
      id: user.id,
      join: (body: unknown) => request(app).post('/api/orders/waitlist').set('Cookie', cookie).send(body as object),
      leave: (ticketId: string) => request(app).delete(`/api/orders/waitlist/${ticketId}`).set('Cookie', cookie),
      list: () => request(app).get('/api/orders/waitlist').set('Cookie', cookie),
    };
  };
  return { app, as };
}

const refusal = (message: string) => ({ errors: [{ message, field: 'ticketId' }] });

describe('POST /api/orders/waitlist', () => {
  it('puts users in line for a reserved ticket, first come first served', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database.db);
    await insertOrder(database.db, ticket);
    const [a, b] = [as(), as()];
    const first = await a.join({ ticketId: ticket.id });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ position: 1 });
    expect((await b.join({ ticketId: ticket.id })).body).toEqual({ position: 2 });
    expect((await b.list()).body).toEqual([{ ticketId: ticket.id, position: 2, status: 'waiting' }]);
    // Joining publishes nothing: only offers are events.
    expect(await outboxEvents(database.db)).toEqual([]);
  });

  it('refuses the seller, the holder, a second join, a ticket not reserved and a sold one', async () => {
    const { as } = setup();
    const seller = as();
    const ticket = await insertTicket(database.db, { userId: seller.id });
    const free = await insertTicket(database.db);
    const sold = await insertTicket(database.db);
    await insertOrder(database.db, sold, { status: 'complete' });
    const holder = as();
    await insertOrder(database.db, ticket, { userId: holder.id });
    const buyer = as();
    await buyer.join({ ticketId: ticket.id });

    expect((await seller.join({ ticketId: ticket.id })).body).toEqual(refusal('You cannot join the waiting list of your own ticket'));
    expect((await holder.join({ ticketId: ticket.id })).body).toEqual(refusal('You already hold this ticket'));
    expect((await buyer.join({ ticketId: ticket.id })).body).toEqual(refusal('You are already on the waiting list for this ticket'));
    expect((await buyer.join({ ticketId: free.id })).body).toEqual(refusal('This ticket is not reserved: you can order it now'));
    expect((await buyer.join({ ticketId: sold.id })).body).toEqual(refusal('This ticket is sold'));
    expect((await buyer.list()).body).toHaveLength(1);
  });

  it('answers bad input in the error shape', async () => {
    const { app, as } = setup();
    const buyer = as();
    expect((await buyer.join({})).body).toEqual({ errors: [{ message: 'ticketId must be provided', field: 'ticketId' }] });
    expect((await buyer.join({ ticketId: 42 })).status).toBe(400);
    expect((await buyer.join({ ticketId: 'nope' })).status).toBe(404);
    expect((await buyer.join({ ticketId: randomUUID() })).body).toEqual({ errors: [{ message: 'Ticket not found' }] });
    expect((await request(app).post('/api/orders/waitlist').send({ ticketId: randomUUID() })).status).toBe(401);
    expect((await request(app).get('/api/orders/waitlist')).status).toBe(401);
    expect((await request(app).delete(`/api/orders/waitlist/${randomUUID()}`)).status).toBe(401);
  });

  it('lets the user join again once their entry is over', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database.db);
    const holder = await insertOrder(database.db, ticket);
    const buyer = as();
    await buyer.join({ ticketId: ticket.id });
    await database.db.transaction((tx) => cancelOrder(tx, holder)); // offered to the buyer
    await database.db.update(waitlistEntries).set({ offerExpiresAt: new Date(Date.now() - 1_000) });
    const [offer] = await database.db.select().from(waitlistEntries);
    expect(await database.db.transaction((tx) => lapseOffer(tx, offer!.id))).toBe('lapsed');
    await insertOrder(database.db, ticket, { userId: randomUUID() });
    expect((await buyer.join({ ticketId: ticket.id })).body).toEqual({ position: 1 });
    expect((await buyer.list()).body).toEqual([
      { ticketId: ticket.id, position: 1, status: 'waiting' },
      { ticketId: ticket.id, position: 1, status: 'expired' },
    ]);
  });
});

describe('DELETE /api/orders/waitlist/:ticketId', () => {
  it('leaves the line; leaving during one\'s offer passes it to the next at once', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database.db);
    const holder = await insertOrder(database.db, ticket);
    const [a, b] = [as(), as()];
    await a.join({ ticketId: ticket.id });
    await b.join({ ticketId: ticket.id });
    await database.db.transaction((tx) => cancelOrder(tx, holder));
    expect((await a.list()).body).toMatchObject([{ status: 'offered', offerExpiresAt: expect.any(String) }]);

    expect((await a.leave(ticket.id)).status).toBe(204);
    expect((await a.list()).body).toEqual([]);
    expect((await b.list()).body).toEqual([{ ticketId: ticket.id, position: 1, status: 'offered', offerExpiresAt: expect.any(String) }]);
    const offerEvents = (await outboxEvents(database.db)).filter((e) => e.type.startsWith('order:waitlist'));
    expect(offerEvents.map((e) => [e.type, e.data])).toEqual([
      ['order:waitlist-offered', { id: expect.any(String), version: 1, ticket: { id: ticket.id }, userId: a.id, offerExpiresAt: expect.any(String) }],
      ['order:waitlist-offer-ended', { id: offerEvents[0]!.data && (offerEvents[0]!.data as { id: string }).id, version: 2, ticket: { id: ticket.id }, outcome: 'left' }],
      ['order:waitlist-offered', { id: expect.any(String), version: 3, ticket: { id: ticket.id }, userId: b.id, offerExpiresAt: expect.any(String) }],
    ]);
    // The offer lasts the configured window from when it started.
    const offered = offerEvents[0]!.data as { offerExpiresAt: string };
    expect(Date.parse(offered.offerExpiresAt) - Date.now()).toBeGreaterThan(100_000);
    expect(Date.parse(offered.offerExpiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
  });

  it('answers 404 to someone not on that list and for a malformed id', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database.db);
    await insertOrder(database.db, ticket);
    const [a, b] = [as(), as()];
    await a.join({ ticketId: ticket.id });
    expect((await b.leave(ticket.id)).body).toEqual({ errors: [{ message: 'You are not on the waiting list for this ticket' }] });
    expect((await b.leave('not-a-uuid')).status).toBe(404);
    expect((await a.list()).body).toHaveLength(1);
  });
});

describe('GET /api/orders/waitlist', () => {
  it('lists only the caller\'s entries, newest first, with live places', async () => {
    const { as } = setup();
    const [t1, t2] = [await insertTicket(database.db), await insertTicket(database.db)];
    await insertOrder(database.db, t1);
    await insertOrder(database.db, t2);
    const [a, b] = [as(), as()];
    await a.join({ ticketId: t1.id });
    await b.join({ ticketId: t1.id });
    await b.join({ ticketId: t2.id });
    expect((await b.list()).body).toEqual([
      { ticketId: t2.id, position: 1, status: 'waiting' },
      { ticketId: t1.id, position: 2, status: 'waiting' },
    ]);
    await a.leave(t1.id);
    expect((await b.list()).body[1]).toEqual({ ticketId: t1.id, position: 1, status: 'waiting' });
  });
});
