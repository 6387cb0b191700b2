/**
 * Whole-system tests through the gateway only, over HTTP, with two replicas each of orders and
 * tickets: a sale from listing to payment, a cancellation releasing the ticket across
 * services, 100 tickets raced for by two buyers, and a crashed replica.
 */
import { waitFor } from '@microtick/common/testing';
import { signUp, type ApiClient, type ApiError } from './support/api-client';
import { createTicket, EVENTUAL_MS, getTicket, listedIds, orderWhenReplicated, waitForOrder, waitForTicket } from './support/flows';
import { startTestStack, type TestStack } from './support/test-stack';
import type { Order, Payment, Ticket } from './support/types';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ replicas: { orders: 2, tickets: 2 } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('buying a ticket', () => {
  it('lists, reserves, refuses edits, takes payment, completes, and keeps the ticket off sale', async () => {
    const seller = await signUp(stack.url);
    const buyer = await signUp(stack.url);
    const ticket = await createTicket(seller, 'Tame Impala, floor', 49.99);
    expect(ticket).toMatchObject({ title: 'Tame Impala, floor', price: 49.99, orderId: null, version: expect.any(Number) });
    expect(await listedIds(buyer)).toContain(ticket.id);

    const ordered = await orderWhenReplicated(buyer, ticket.id);
    expect(ordered.status).toBe(201);
    const order = ordered.body;
    expect(order).toMatchObject({ status: 'created', ticket: { id: ticket.id, title: 'Tame Impala, floor', price: 49.99 } });

    await waitForTicket(seller, ticket.id, (t) => t.orderId === order.id, 'tickets to reserve the ticket');
    const edit = await seller.put<ApiError>(`/api/tickets/${ticket.id}`, { title: 'Tame Impala, floor', price: 500 });
    expect(edit.status).toBe(400);
    expect((await buyer.put<ApiError>(`/api/tickets/${ticket.id}`, { title: 'mine now', price: 1 })).status).toBe(401);
    expect(await listedIds(buyer)).not.toContain(ticket.id);
    expect((await seller.get<ApiError>(`/api/orders/${order.id}`)).status).toBe(401);

    const paid = await buyer.post<Payment>('/api/payments', { orderId: order.id, token: 'tok_visa' });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ id: expect.any(String), orderId: order.id, stripeId: expect.any(String) });
    await waitForOrder(buyer, order.id, (o) => o.status === 'complete', 'the order to complete');

    const again = await buyer.post<ApiError>('/api/payments', { orderId: order.id, token: 'tok_visa' });
    expect(again.status).toBe(400);
    expect(await listedIds(buyer)).not.toContain(ticket.id);
    expect(await getTicket(buyer, ticket.id)).toMatchObject({ orderId: order.id, price: 49.99 });
    expect((await seller.put(`/api/tickets/${ticket.id}`, { title: 'sold', price: 1 })).status).toBe(400);
  }, 60_000);
});

describe('across services', () => {
  it('replicates a ticket into orders, locks it on order, and releases it on cancel', async () => {
    const seller = await signUp(stack.url);
    const buyer = await signUp(stack.url);
    const other = await signUp(stack.url);
    const ticket = await createTicket(seller, 'Opera, box 4', 120);

    const order = (await orderWhenReplicated(buyer, ticket.id)).body;
    expect(order.status).toBe('created');
    await waitForTicket(seller, ticket.id, (t) => t.orderId === order.id, 'the ticket to be locked');
    expect((await other.post<ApiError>('/api/orders', { ticketId: ticket.id })).status).toBe(400);

    expect((await buyer.delete(`/api/orders/${order.id}`)).status).toBe(204);
    expect((await buyer.get<Order>(`/api/orders/${order.id}`)).body.status).toBe('cancelled');
    await waitForTicket(seller, ticket.id, (t) => t.orderId === null, 'the ticket to be released');
    expect(await listedIds(other)).toContain(ticket.id);

    const reorder = await orderWhenReplicated(other, ticket.id);
    expect(reorder.status).toBe(201);
    expect(reorder.body).toMatchObject({ status: 'created', ticket: { id: ticket.id, price: 120 } });
    expect((await buyer.post<ApiError>('/api/payments', { orderId: order.id, token: 'tok_visa' })).status).toBe(400);
  }, 60_000);
});

describe('racing buyers', () => {
  it('turns 100 tickets wanted by two buyers at once into exactly 100 orders and 100 locked tickets', async () => {
    const seller = await signUp(stack.url);
    const buyers = [await signUp(stack.url), await signUp(stack.url)] as const;
    const tickets: Ticket[] = [];
    for (let batch = 0; batch < 10; batch++) {
      tickets.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => createTicket(seller, `Race seat ${batch * 10 + i}`, 10 + batch)))));
    }
    // The sentinel is created last: once orders knows it, it has (almost surely) seen the rest.
    const sentinel = await createTicket(seller, 'sentinel', 1);
    const scout = await signUp(stack.url);
    expect((await orderWhenReplicated(scout, sentinel.id)).status).toBe(201);

    const race = (buyer: ApiClient, ticket: Ticket) => orderWhenReplicated(buyer, ticket.id);
    const results = await Promise.all(tickets.flatMap((ticket) => buyers.map((buyer) => race(buyer, ticket).then((r) => ({ ticket, ...r })))));

    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(100);
    expect(new Set(won.map((r) => r.ticket.id)).size).toBe(100);
    expect(results.filter((r) => r.status !== 201).map((r) => r.status)).toEqual(Array(100).fill(400));

    const [first, second] = await Promise.all(buyers.map((buyer) => buyer.get<Order[]>('/api/orders')));
    const orders = [...(first?.body ?? []), ...(second?.body ?? [])];
    expect(orders).toHaveLength(100);
    const orderByTicket = new Map(orders.map((order) => [order.ticket.id, order]));

    await waitFor(
      async () => {
        const current = await Promise.all(tickets.map((ticket) => getTicket(seller, ticket.id)));
        return current.every((t) => t.orderId !== null && t.orderId === orderByTicket.get(t.id)?.id);
      },
      { timeoutMs: EVENTUAL_MS, intervalMs: 250, what: 'all 100 tickets to be locked by their one order' },
    );
    const listed = await listedIds(seller);
    expect(tickets.filter((ticket) => listed.has(ticket.id))).toEqual([]);
  }, 90_000);
});

describe('a crashed replica', () => {
  it('costs at most one failed request, and the runner brings it back', async () => {
    const [, second] = stack.services.orders ?? [];
    if (!second?.pid) throw new Error('no second orders replica running');
    const crashedPid = second.pid;
    process.kill(crashedPid, 'SIGKILL');
    await waitFor(() => second.pid !== crashedPid, { timeoutMs: 5_000, what: 'the runner to notice the crash' });

    const buyer = await signUp(stack.url);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await buyer.get('/api/orders')).status);
    expect(statuses.filter((status) => status !== 200).length).toBeLessThanOrEqual(1);

    await waitFor(
      async () => second.pid !== undefined && (await fetch(`${second.url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200,
      { timeoutMs: EVENTUAL_MS, what: 'the orders replica to be restarted and ready' },
    );
    expect(second.pid).not.toBe(crashedPid);
  }, 60_000);

  it('stays down when killed through the API until restarted, while the other replica serves', async () => {
    await stack.kill('tickets', 1);
    const [, second] = stack.services.tickets ?? [];
    expect(second?.pid).toBeUndefined();
    const visitor = await signUp(stack.url);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await visitor.get('/api/tickets')).status);
    expect(statuses.filter((status) => status !== 200).length).toBeLessThanOrEqual(1);
    expect(second?.pid).toBeUndefined();

    await stack.restart('tickets', 1);
    expect(second?.pid).toEqual(expect.any(Number));
    expect((await fetch(`${second?.url}/readyz`)).status).toBe(200);
  }, 60_000);
});
