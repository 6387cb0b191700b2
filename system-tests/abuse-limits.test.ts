/**
 * The per-user abuse limits and the price floor, through the gateway, on a stack with the
 * production limits (not the raised ones the other system tests use): a sixth unpaid order is
 * refused and changes nothing, one user's orders never count against another, the order rate
 * limit answers 429 per user, prices below the minimum charge are refused at listing and edit,
 * and decimal-string prices are accepted. docs/security.md describes the limits.
 */
import { randomUUID } from 'node:crypto';

import { signUp, type ApiClient, type ApiError } from './support/api-client';
import { createTicket, EVENTUAL_MS } from './support/flows';
import { BusProbe, eventFlow, settled } from './support/settle';
import { changedTables, StackDatabases } from './support/stack-databases';
import { type TestStack, useTestStack } from './support/test-stack';
import type { Order, Ticket } from './support/types';

/** Low enough to reach in a test, and known: the limits are configuration, not constants. */
const ORDERS_PER_MINUTE = 30;

let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;
let seller: ApiClient;

// The production default of 5 live orders; sign-ups lifted (every test user comes from 127.0.0.1).
useTestStack(
  { serviceEnv: { orders: { ORDERS_RATE_LIMIT_PER_MINUTE: String(ORDERS_PER_MINUTE) }, auth: { SIGNUP_RATE_LIMIT_PER_MINUTE: '1000000' } } },
  (running) => ({ stack, databases, bus } = running),
);

beforeAll(async () => {
  seller = await signUp(stack.url);
});

/** Tickets every service knows (orders has applied their ticket:created). */
async function listedTickets(count: number): Promise<Ticket[]> {
  const tickets = await Promise.all(Array.from({ length: count }, (_, i) => createTicket(seller, `Limit test ${i}`, 20)));
  await settled(eventFlow(databases, bus), EVENTUAL_MS);
  return tickets;
}

describe('live orders per user', () => {
  it('refuses a sixth unpaid order with a clear 400 that changes nothing; another user is unaffected; cancelling frees a place', async () => {
    const buyer = await signUp(stack.url);
    const [first, ...rest] = await listedTickets(7);
    const orders: Order[] = [];
    for (const ticket of [first, ...rest.slice(0, 4)] as Ticket[]) {
      const res = await buyer.post<Order>('/api/orders', { ticketId: ticket.id });
      expect(res.status).toBe(201);
      orders.push(res.body);
    }
    await settled(eventFlow(databases, bus), EVENTUAL_MS);
    const before = await databases.stateDigest();

    const sixth = await buyer.post<ApiError>('/api/orders', { ticketId: rest[4]!.id });
    expect(sixth).toEqual({ status: 400, body: { errors: [{ message: 'You already have 5 unpaid orders: pay for or cancel one before reserving another ticket' }] } });
    await settled(eventFlow(databases, bus), EVENTUAL_MS);
    expect(changedTables(before, await databases.stateDigest())).toEqual([]);

    const someoneElse = await signUp(stack.url);
    expect((await someoneElse.post<Order>('/api/orders', { ticketId: rest[4]!.id })).status).toBe(201);

    expect((await buyer.delete(`/api/orders/${orders[0]!.id}`)).status).toBe(204);
    expect((await buyer.post<Order>('/api/orders', { ticketId: rest[5]!.id })).status).toBe(201);
  });
});

describe('order rate limit', () => {
  it('answers 429 in the error shape once a user has sent the minute’s orders; other users still order', async () => {
    const hasty = await signUp(stack.url);
    // Unknown tickets: each attempt is answered (404) and counted, and reserves nothing.
    for (let i = 0; i < ORDERS_PER_MINUTE; i++) expect((await hasty.post('/api/orders', { ticketId: randomUUID() })).status).toBe(404);
    const limited = await hasty.post<ApiError>('/api/orders', { ticketId: randomUUID() });
    expect(limited).toEqual({ status: 429, body: { errors: [{ message: 'Too many orders; try again in a minute' }] } });
    const [ticket] = await listedTickets(1);
    expect((await (await signUp(stack.url)).post<Order>('/api/orders', { ticketId: ticket!.id })).status).toBe(201);
  });
});

describe('prices', () => {
  it('refuses a price below the minimum charge at listing and at edit, and takes decimal strings', async () => {
    const tooLow = { errors: [{ field: 'price', message: 'Price must be at least 0.50, the smallest amount a card can be charged' }] };
    expect(await seller.post('/api/tickets', { title: 'Cheap', price: 0.49 })).toEqual({ status: 400, body: tooLow });
    const listed = await seller.post<Ticket>('/api/tickets', { title: 'From a form', price: '25.00' });
    expect(listed).toMatchObject({ status: 201, body: { price: 25 } });
    expect(await seller.put(`/api/tickets/${listed.body.id}`, { title: 'From a form', price: '0.10' })).toEqual({ status: 400, body: tooLow });
    expect(await seller.put(`/api/tickets/${listed.body.id}`, { title: 'From a form', price: '5.' })).toMatchObject({ status: 400 });
    expect(await seller.put<Ticket>(`/api/tickets/${listed.body.id}`, { title: 'From a form', price: '0.50' })).toMatchObject({ status: 200, body: { price: 0.5 } });
  });
});
