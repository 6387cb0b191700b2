/**
 * Nothing is lost and nothing is applied twice, under fire. Shoppers run purchase flows through
 * the gateway (list, order, then pay, pay after a declined card, cancel, or let the 4-second
 * window lapse) while a chaos monkey SIGKILLs a random service process every few seconds and
 * restarts it, and crashes NATS once. The stack has a nats-server of its own, so crashing it
 * cannot disturb tests running beside this one.
 *
 * Afterwards, once the system has settled (bounded), its records are read straight from every
 * service's database, Redis and Stripe, and must agree: every order complete or cancelled, a
 * ticket held exactly by its complete order, one payment and one charge per complete order and
 * none kept for a cancelled one, replicas equal to their source, no outbox row unpublished, no
 * dead letter, no payment attempt in limbo, and nothing contradicting what a client was told.
 *
 * Reproducible choices: CHAOS_SEED (default below); CHAOS_LOAD_MS sets how long the load runs.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@microtick/common/testing';
import { DEFAULT_INFRA, REPO_ROOT } from '../infra/local/src/stack';
import { unleashChaos, type ChaosLog } from './support/chaos-monkey';
import { inconsistencies, paymentAccounting, readSystemState } from './support/consistency';
import { expirationDeadLetters } from './support/expiration-dead-letters';
import { PrivateNats } from './support/private-nats';
import { SeededRandom } from './support/seeded-random';
import { BusProbe, unreadyServices, eventFlow, settled } from './support/settle';
import { newRetryStats, purchase, Shopper, type Plan, type Purchase, type RetryStats } from './support/shopper';
import { StackDatabases } from './support/stack-databases';
import { emulatorCharges } from './support/stripe-charges';
import { type TestStack, useTestStack } from './support/test-stack';

const CHAOS_SEED = Number(process.env.CHAOS_SEED ?? 4_242);
const LOAD_MS = Number(process.env.CHAOS_LOAD_MS ?? 90_000);
const SHOPPERS = 6;
const WINDOW_SECONDS = 10;
/** One purchase may wait out a payment attempt's lease (19 s with the settings below) and a restart. */
const PURCHASE_BUDGET_MS = 60_000;
const SETTLE_MS = 60_000;
const PLANS: readonly (readonly [Plan, number])[] = [['pay', 5], ['decline, then pay', 1], ['cancel', 2], ['let expire', 2]];

let natsLog: WriteStream;
let nats: PrivateNats;
let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;

beforeAll(async () => {
  // A payment attempt cut off by a crash is settled once its lease lapses: Stripe timeout ×
  // (retries + 1) + 15 s. These make it 19 s rather than 45 s, so the system settles in bounds.
  process.env.STRIPE_TIMEOUT_MS = '2000';
  process.env.STRIPE_MAX_NETWORK_RETRIES = '1';
  const dir = path.join(REPO_ROOT, 'test-output/system-tests');
  mkdirSync(dir, { recursive: true });
  natsLog = createWriteStream(path.join(dir, `chaos-nats-${process.pid}.log`));
  nats = await PrivateNats.start((line) => natsLog.write(`${line}\n`));
}, 60_000);

useTestStack(() => ({ expirationWindowSeconds: WINDOW_SECONDS, infra: { ...DEFAULT_INFRA, nats: nats.url } }), (running) => ({ stack, databases, bus } = running), {
  afterStop: async () => {
    await nats?.stop();
    natsLog?.end();
  },
});

it('keeps orders, tickets, payments and Stripe consistent while services and NATS crash', async () => {
  const stats = newRetryStats();
  const startedAt = Date.now();
  const loadEndsAt = startedAt + LOAD_MS;
  const shoppers = await Promise.all(Array.from({ length: SHOPPERS }, () => Shopper.join(stack.url, stats, startedAt + 30_000)));

  const planner = new SeededRandom(CHAOS_SEED + 1);
  const purchases: Purchase[] = [];
  const shopping = shoppers.map(async (buyer, i) => {
    const seller = shoppers[(i + 1) % SHOPPERS] as Shopper;
    while (Date.now() < loadEndsAt) purchases.push(await purchase(seller, buyer, planner.weighted(PLANS), Date.now() + PURCHASE_BUDGET_MS));
  });
  const chaos = unleashChaos({
    stack,
    nats,
    random: new SeededRandom(CHAOS_SEED),
    until: loadEndsAt,
    pauseMs: [2_000, 4_000],
    maxDowntimeMs: 1_000,
    natsCrashAt: startedAt + LOAD_MS / 2,
    natsDowntimeMs: 3_000,
  });
  const [chaosLog] = await Promise.all([chaos, ...shopping]);

  const loadDoneAt = Date.now();
  const settleProblem = await settle();
  const settledAfterMs = Date.now() - loadDoneAt;

  const state = await readSystemState(databases, await emulatorCharges(stack), await expirationDeadLetters(stack.namespace, DEFAULT_INFRA.redis));
  const accounting = paymentAccounting(state);
  console.log(summary({ chaosLog, purchases, stats, settledAfterMs, orders: state.orders, charges: state.charges.length }), '\n  payments:', JSON.stringify(accounting));

  expect(settleProblem).toBeUndefined();
  expect(inconsistencies(state, purchases)).toEqual([]);
  // Captures = complete orders, voids = authorizations on cancelled orders, refunds = 0.
  expect({ captures: accounting.captures, voids: accounting.voids, refunds: accounting.refunds }).toEqual({
    captures: accounting.completeOrders,
    voids: accounting.authorizationsOnCancelledOrders,
    refunds: 0,
  });
  expect(purchases.flatMap((p) => p.oddities.map((oddity) => `${p.plan} → ${p.outcome}: ${oddity}`))).toEqual([]);
  expect(await unreadyServices(stack)).toEqual([]);
}, LOAD_MS + 180_000);

/** Waits (bounded) until every order has ended and every event has run its course; says what did not happen in time. */
async function settle(): Promise<string | undefined> {
  try {
    await waitFor(
      async () => {
        const [open] = await databases.query<{ orders: number }>('orders', `select count(*)::int as orders from orders where status not in ('complete', 'cancelled')`);
        const [pending] = await databases.query<{ attempts: number }>('payments', `select count(*)::int as attempts from payment_attempts where status = 'pending'`);
        // Orders decided; payments captures or voids right after (its settler).
        const [held] = await databases.query<{ payments: number }>('payments', `select count(*)::int as payments from payments where status in ('authorized', 'requires_action')`);
        return open?.orders === 0 && pending?.attempts === 0 && held?.payments === 0;
      },
      { timeoutMs: SETTLE_MS, intervalMs: 250, what: 'every order to end and every payment attempt and authorization to be settled' },
    );
    await settled(eventFlow(databases, bus), SETTLE_MS);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function summary(facts: { chaosLog: ChaosLog; purchases: readonly Purchase[]; stats: RetryStats; settledAfterMs: number; orders: readonly { status: string }[]; charges: number }): string {
  const count = (items: readonly string[]) => Object.entries(items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [item]: (acc[item] ?? 0) + 1 }), {}));
  const list = (entries: [string, number][]) => entries.map(([name, n]) => `${name} ×${n}`).join(', ') || 'none';
  return [
    `Chaos run (CHAOS_SEED=${CHAOS_SEED}, ${LOAD_MS / 1000} s of load, ${SHOPPERS} shoppers):`,
    `  kills: ${facts.chaosLog.kills.length} (${list(count(facts.chaosLog.kills))}); NATS crashes: ${facts.chaosLog.natsCrashes}; restarts that needed the supervisor: ${list(count(facts.chaosLog.slowRestarts))}`,
    `  purchases: ${facts.purchases.length} (${list(count(facts.purchases.map((p) => `${p.plan} → ${p.outcome}`)))})`,
    `  requests: ${facts.stats.requests}, resent after a failure: ${list(Object.entries(facts.stats.retried))}`,
    `  orders: ${list(count(facts.orders.map((o) => o.status)))}; Stripe authorizations: ${facts.charges}; settled ${(facts.settledAfterMs / 1000).toFixed(1)} s after the load`,
  ].join('\n');
}
