/**
 * A payment the system accepted is a sale. Buyers pay around the payment deadline (payments
 * close 5 s before expiresAt), where a charge, the expiration timer and the events between
 * payments, expiration and orders race; whatever each buyer is told must be how their order
 * ends: 201 → complete, 400 → cancelled. (The chaos test found this race; here it is provoked.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { signUp } from './support/api-client';
import { createTicket, orderWhenReplicated, waitForOrder } from './support/flows';
import { payWhenReplicated } from './support/pay';
import { startTestStack, type TestStack } from './support/test-stack';

const WINDOW_SECONDS = 7;
/** Payments close this long before expiresAt (payments/src/charging/deadline.ts). */
const PAYMENTS_CLOSE_BEFORE_MS = 5_000;
const BUYERS = 60;
const LAST_MOMENT_MS = 200;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ expirationWindowSeconds: WINDOW_SECONDS });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

it('ends every order the way its buyer was told, when paying in the last moments of the window', async () => {
  const seller = await signUp(stack.url);
  const buyer = await signUp(stack.url);
  const told = await Promise.all(
    Array.from({ length: BUYERS }, async (_, i) => {
      const ticket = await createTicket(seller, `Last-minute seat ${i}`, 10);
      const order = (await orderWhenReplicated(buyer, ticket.id)).body;
      // From just after the payment deadline to LAST_MOMENT_MS before it.
      const leadMs = Math.round((LAST_MOMENT_MS * i) / BUYERS) - 20;
      await sleep(Math.max(0, new Date(order.expiresAt).getTime() - PAYMENTS_CLOSE_BEFORE_MS - Date.now() - leadMs));
      const paid = await payWhenReplicated(buyer, order.id);
      const ended = await waitForOrder(buyer, order.id, (o) => o.status === 'complete' || o.status === 'cancelled', 'the order to end', 20_000);
      return { leadMs, payment: paid.status, ended: ended.status };
    }),
  );
  const broken = told.filter(({ payment, ended }) => (payment === 201) !== (ended === 'complete'));
  expect(broken).toEqual([]);
}, 90_000);
