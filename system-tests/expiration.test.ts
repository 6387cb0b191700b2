/**
 * Whole-system test of the payment window, through the gateway only, on a stack whose window
 * is 3 seconds: an unpaid order lapses and its ticket goes back on sale.
 */
import { signUp, type ApiError } from './support/api-client';
import { createTicket, listedIds, orderWhenReplicated, waitForOrder, waitForTicket } from './support/flows';
import { startTestStack, type TestStack } from './support/test-stack';

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

  const orderedAt = Date.now();
  const ordered = await orderWhenReplicated(buyer, ticket.id);
  expect(ordered.status).toBe(201);
  const order = ordered.body;
  const windowMs = new Date(order.expiresAt).getTime() - orderedAt;
  expect(windowMs).toBeGreaterThan((WINDOW_SECONDS - 1) * 1000);
  expect(windowMs).toBeLessThan((WINDOW_SECONDS + 2) * 1000);
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
