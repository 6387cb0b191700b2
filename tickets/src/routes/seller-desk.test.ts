import { randomUUID } from 'node:crypto';
import { sessionCookie } from '@microtick/common/testing';
import request from 'supertest';
import { checkins, ordersReplica } from '../db/schema';
import { seedTicket, testApp, useTicketsDatabase } from '../test-support';

const database = useTicketsDatabase();

function setup() {
  const app = testApp(database());
  const sellerId = randomUUID();
  const cookie = sessionCookie({ id: sellerId });
  const mine = (query = '', as = cookie) => request(app).get(`/api/tickets/mine${query}`).set('Cookie', as);
  const summary = (as = cookie) => request(app).get('/api/tickets/mine/summary').set('Cookie', as);
  /** A ticket of the seller held by an order in `status` (as the order events left it), or free. */
  const seed = async (title: string, minute: number, orderStatus?: 'created' | 'complete' | 'cancelled', priceCents = 1000) => {
    const orderId = orderStatus && orderStatus !== 'cancelled' ? randomUUID() : null;
    const ticket = await seedTicket(database(), { title, priceCents, userId: sellerId, orderId, createdAt: new Date(Date.UTC(2030, 0, 1, 0, minute)) });
    if (orderStatus) {
      await database().db.insert(ordersReplica).values({ id: orderId ?? randomUUID(), ticketId: ticket.id, status: orderStatus, version: orderStatus === 'created' ? 0 : 1 });
    }
    return ticket;
  };
  return { app, sellerId, mine, summary, seed };
}

describe('GET /api/tickets/mine', () => {
  it("lists only the caller's tickets, newest first, each with its status and check-in time", async () => {
    const { mine, seed, sellerId } = setup();
    const onSale = await seed('On sale', 1);
    const released = await seed('Released again', 2, 'cancelled');
    const held = await seed('Held', 3, 'created');
    const sold = await seed('Sold', 4, 'complete', 2550);
    await seedTicket(database(), { title: 'Someone else’s' });
    await database().db.insert(checkins).values({ ticketId: sold.id, orderId: sold.orderId!, checkedInBy: sellerId, checkedInAt: new Date('2030-02-01T20:00:00Z') });

    const res = await mine();
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: sold.id, title: 'Sold', price: 25.5, userId: sellerId, version: 0, orderId: sold.orderId, heldForWaitingList: false, status: 'sold', checkedInAt: '2030-02-01T20:00:00.000Z' },
      { id: held.id, title: 'Held', price: 10, userId: sellerId, version: 0, orderId: held.orderId, heldForWaitingList: false, status: 'reserved', checkedInAt: null },
      { id: released.id, title: 'Released again', price: 10, userId: sellerId, version: 0, orderId: null, heldForWaitingList: false, status: 'available', checkedInAt: null },
      { id: onSale.id, title: 'On sale', price: 10, userId: sellerId, version: 0, orderId: null, heldForWaitingList: false, status: 'available', checkedInAt: null },
    ]);
  });

  it('pages with the Link header like the public listing', async () => {
    const { mine, seed } = setup();
    for (let i = 0; i < 5; i++) await seed(`T${i}`, i);
    const first = await mine('?limit=2');
    expect(first.body.map((t: { title: string }) => t.title)).toEqual(['T4', 'T3']);
    const link = first.headers.link as string;
    expect(link).toMatch(/^<\/api\/tickets\/mine\?limit=2&cursor=[\w-]+>; rel="next"$/);
    const second = await mine(link.slice('</api/tickets/mine'.length, link.indexOf('>')));
    expect(second.body.map((t: { title: string }) => t.title)).toEqual(['T2', 'T1']);
    expect((await mine('?offset=4')).body.map((t: { title: string }) => t.title)).toEqual(['T0']);
  });

  it('requires a session', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/tickets/mine');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?offset=10001', 'offset'],
    ['?cursor=nope', 'cursor'],
  ])('rejects %s with a 400 naming %s', async (query, field) => {
    const { mine } = setup();
    const res = await mine(query);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
  });
});

describe('GET /api/tickets/mine/summary', () => {
  it('counts the tickets by status and adds up what the sold ones fetched', async () => {
    const { summary, seed } = setup();
    await seed('A', 1);
    await seed('B', 2, 'created');
    await seed('C', 3, 'complete', 2550);
    await seed('D', 4, 'complete', 1999);
    await seedTicket(database(), { title: 'Someone else’s' });
    const res = await summary();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ available: 1, reserved: 1, sold: 2, soldTotal: 45.49 });
  });

  it('is all zeros for a new seller, and needs a session', async () => {
    const { app, summary } = setup();
    expect((await summary()).body).toEqual({ available: 0, reserved: 0, sold: 0, soldTotal: 0 });
    expect((await request(app).get('/api/tickets/mine/summary')).status).toBe(401);
  });
});
