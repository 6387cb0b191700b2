/**
 * Correctness at the deadline needs no margin: payments authorizes until expiresAt itself and
 * orders alone decides. Buyers pay in the last second of their window, and NATS is frozen once
 * across the deadline (the relay, the expiration timer and every consumer then retry on their
 * own schedules). Whatever each buyer was told, every authorization ends captured with the order
 * complete, or voided with the order cancelled; nothing is captured twice or refunded, and a
 * buyer told 400 has a cancelled order and no hold on the card.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import { DEFAULT_INFRA } from '../infra/local/src/stack';
import { signUp, type ApiClient } from './support/api-client';
import { createTicket, orderWhenReplicated, waitForOrder } from './support/flows';
import { payWhenReplicated } from './support/pay';
import { PrivateNats } from './support/private-nats';
import { emulatorCharges, type EmulatorCharge } from './support/stripe-charges';
import { startTestStack, type TestStack } from './support/test-stack';
import type { Order } from './support/types';

const WINDOW_SECONDS = Number(process.env.DEADLINE_WINDOW_SECONDS ?? 8);
const BUYERS = Number(process.env.DEADLINE_BUYERS ?? 40);
/** Buyers start paying from this long before their expiresAt up to just after it. */
const LAST_SECOND_MS = 1_000;
const NATS_PAUSE_MS = 3_000;

let nats: PrivateNats;
let stack: TestStack;

beforeAll(async () => {
  nats = await PrivateNats.start();
  stack = await startTestStack({ expirationWindowSeconds: WINDOW_SECONDS, infra: { ...DEFAULT_INFRA, nats: nats.url } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
}, 60_000);

interface Told {
  order: Order;
  leadMs: number;
  status: number;
  message?: string;
}

it('ends every authorization captured (order complete) or voided (order cancelled) when buyers pay in the last second and NATS freezes across the deadline', async () => {
  const seller = await signUp(stack.url);
  const buyer = await signUp(stack.url);
  // All at once, so that every order's last second comes after every order was placed.
  const orders: Order[] = await Promise.all(
    Array.from({ length: BUYERS }, async (_, i) => (await orderWhenReplicated(buyer, (await createTicket(seller, `Last-second seat ${i}`, 10 + i / 100)).id)).body),
  );
  const firstDeadline = Math.min(...orders.map((order) => Date.parse(order.expiresAt)));
  // Frozen from just before the first deadline: authorizations made now stage payment:created,
  // but nothing reaches orders until NATS is back, and the expirations wait their turn too.
  const pause = sleep(Math.max(0, firstDeadline - 300 - Date.now())).then(() => nats.pause(NATS_PAUSE_MS));

  const told: Told[] = await Promise.all(
    orders.map(async (order, i) => {
      const leadMs = Math.round((LAST_SECOND_MS * (BUYERS - i)) / BUYERS) - 50; // ~1 s before … 50 ms after expiresAt
      await sleep(Math.max(0, Date.parse(order.expiresAt) - leadMs - Date.now()));
      const paid = await payWhenReplicated(buyer, order.id);
      return { order, leadMs, status: paid.status, message: (paid.body as { errors?: { message: string }[] }).errors?.[0]?.message };
    }),
  );
  await pause;

  const ended = await Promise.all(told.map(({ order }) => waitForOrder(buyer, order.id, (o) => o.status === 'complete' || o.status === 'cancelled', 'the order to end', 60_000)));
  const authorizations = await waitForSettledAuthorizations(buyer, told.map(({ order }) => order.id));

  const problems: string[] = [];
  const captures = authorizations.filter((charge) => charge.captured);
  const voids = authorizations.filter((charge) => charge.voided);
  for (const [i, { order, status, message, leadMs }] of told.entries()) {
    const final = ended[i]!;
    const mine = authorizations.filter((charge) => charge.metadata.orderId === order.id);
    const what = `order ${order.id} (paid ${leadMs} ms before expiresAt, told ${status}${message ? ` "${message}"` : ''}, ended ${final.status})`;
    if (status === 201 && final.status === 'complete' && !(mine.length === 1 && mine[0]!.captured)) problems.push(`${what}: complete without exactly one capture`);
    if (final.status === 'cancelled' && mine.some((charge) => !charge.voided)) problems.push(`${what}: cancelled but a hold was not voided`);
    if (status !== 201 && final.status === 'complete') problems.push(`${what}: refused, yet complete`);
    if (status !== 201 && status !== 400) problems.push(`${what}: unexpected answer`);
    if (mine.some((charge) => charge.amountRefunded > 0 && !charge.voided)) problems.push(`${what}: captured, then refunded`);
  }
  console.log(
    `payment deadline: ${told.filter((t) => t.status === 201).length}/${BUYERS} authorized, ${ended.filter((o) => o.status === 'complete').length} complete, ` +
      `${captures.length} captured, ${voids.length} voided; NATS frozen ${NATS_PAUSE_MS} ms across the first deadline`,
  );
  expect(problems).toEqual([]);
  expect(captures.length).toBe(ended.filter((o) => o.status === 'complete').length);
  expect(voids.length).toBe(authorizations.filter((charge) => ended.find((o) => o.id === charge.metadata.orderId)?.status === 'cancelled').length);
  // Fairness (not correctness): with the freeze, some authorizations made before expiresAt may lose; most should win.
  const authorizedInTime = told.filter((t) => t.status === 201 && t.leadMs > 0);
  expect(authorizedInTime.length).toBeGreaterThan(0);
}, 240_000);

/** The emulator's record of these orders' authorizations once none is still held (captured or voided). */
async function waitForSettledAuthorizations(buyer: ApiClient, orderIds: string[]): Promise<EmulatorCharge[]> {
  const ids = new Set(orderIds);
  return waitFor(
    async () => {
      const mine = (await emulatorCharges(stack)).filter((charge) => ids.has(charge.metadata.orderId ?? ''));
      return mine.every((charge) => charge.captured || charge.voided) ? mine : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: `every authorization of ${buyer.email ?? 'the buyer'} captured or voided` },
  );
}
