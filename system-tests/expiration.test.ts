/**
 * Whole-system test of the payment window, through the gateway only, on a stack whose window
 * is 3 seconds: an unpaid order lapses and its ticket goes back on sale.
 */
import { signUp, type ApiError } from './support/api-client';
import { waitFor } from '@microtick/common/testing';
import { createTicket, EVENTUAL_MS, listedIds, orderWhenReplicated, waitForOrder, waitForTicket } from './support/flows';
import { startTestStack, type TestStack } from './support/test-stack';
import type { Order } from './support/types';

const WINDOW_SECONDS = 3;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ expirationWindowSeconds: WINDOW_SECONDS });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

it('cancels an unpaid order when the window passes, puts the ticket back on sale and refuses late payment', async () => {
  const seller = await signUp(stack.url);
  const buyer = await signUp(stack.url);
  const ticket = await createTicket(seller, 'Late night jazz', 15);

  // The window starts when orders takes the order: between sending the request that succeeded
  // and its answer (earlier attempts got 404 until orders knew the ticket; on a busy machine
  // that, and the request itself, can take seconds, so the start is bracketed, not assumed).
  let sentAt = 0;
  const ordered = await waitFor(
    async () => {
      sentAt = Date.now();
      const response = await buyer.post<Order>('/api/orders', { ticketId: ticket.id });
      return response.status === 404 ? undefined : response;
    },
    { timeoutMs: EVENTUAL_MS, intervalMs: 100, what: 'orders to know the ticket' },
  );
  const answeredAt = Date.now();
  expect(ordered.status).toBe(201);
  const order = ordered.body;
  const expiresAt = new Date(order.expiresAt).getTime();
  // One second for the two clocks (the same machine) and rounding.
  expect(expiresAt - sentAt).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000 - 1_000);
  expect(expiresAt - answeredAt).toBeLessThanOrEqual(WINDOW_SECONDS * 1000 + 1_000);
  expect(order.status).toBe('created');
  await waitForTicket(seller, ticket.id, (t) => t.orderId === order.id, 'the ticket to be reserved');

  const cancelled = await waitForOrder(buyer, order.id, (o) => o.status === 'cancelled', 'the order to lapse', 20_000);
  expect(Date.now()).toBeGreaterThanOrEqual(new Date(order.expiresAt).getTime() - 500);
  expect(cancelled.ticket.id).toBe(ticket.id);

  await waitForTicket(seller, ticket.id, (t) => t.orderId === null, 'the ticket to be released');
  expect(await listedIds(buyer)).toContain(ticket.id);

  const late = await buyer.post<ApiError>('/api/payments', { orderId: order.id, token: 'tok_visa' });
  expect(late.status).toBe(400);
  expect(late.body.errors[0]?.message).toEqual(expect.any(String));

  const again = await orderWhenReplicated(buyer, ticket.id);
  expect(again.status).toBe(201);
  expect(again.body.id).not.toBe(order.id);
}, 60_000);
