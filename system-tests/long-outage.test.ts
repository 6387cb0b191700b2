/**
 * Guarantees that survive real operations (docs/operations.md). While shoppers buy through the
 * gateway, orders is frozen (SIGSTOP) for longer than the ordering wait budget and the timers'
 * grace, expiration's Redis (a private one) comes back without its data, and every Postgres
 * connection of the tickets service is cut. Afterwards the usual consistency checks hold, with
 * zero dead letters: a backlog is waited out, never parked, and lost timers are swept by orders.
 *
 * LONG_OUTAGE_FREEZE_MS sets the freeze (default 12 s, past the 2 s wait budget set here).
 */
import { waitFor } from '@microtick/common/testing';
import { DEFAULT_INFRA } from '../infra/local/src/stack';
import { namespaceNames } from '../infra/local/src/stack-plan';
import { inconsistencies, readSystemState } from './support/consistency';
import { expirationDeadLetters } from './support/expiration-dead-letters';
import { PrivateRedis } from './support/private-redis';
import { SeededRandom } from './support/seeded-random';
import { BusProbe, unreadyServices, eventFlow, settled } from './support/settle';
import { newRetryStats, purchase, Shopper, type Plan, type Purchase } from './support/shopper';
import { StackDatabases } from './support/stack-databases';
import { emulatorCharges } from './support/stripe-charges';
import { type TestStack, useTestStack } from './support/test-stack';

const FREEZE_MS = Number(process.env.LONG_OUTAGE_FREEZE_MS ?? 12_000);
const LOAD_MS = FREEZE_MS + 20_000;
const SHOPPERS = 4;
const WINDOW_SECONDS = 10;
const PURCHASE_BUDGET_MS = FREEZE_MS + 60_000;
const SETTLE_MS = 90_000;
const PLANS: readonly (readonly [Plan, number])[] = [['pay', 4], ['cancel', 1], ['let expire', 3]];

let redis: PrivateRedis;
let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;

useTestStack(
  async () => {
    process.env.STRIPE_TIMEOUT_MS = '2000';
    process.env.STRIPE_MAX_NETWORK_RETRIES = '1';
    process.env.LISTENER_WAIT_WARN_SECONDS = '2'; // the ordering budget; the freeze is far longer
    process.env.EXPIRY_SWEEP_GRACE_SECONDS = '3';
    process.env.EXPIRY_SWEEP_INTERVAL_SECONDS = '1';
    redis = await PrivateRedis.start();
    return { expirationWindowSeconds: WINDOW_SECONDS, infra: { ...DEFAULT_INFRA, redis: redis.url } };
  },
  (running) => ({ stack, databases, bus } = running),
  { afterStop: () => redis?.stop() },
);

it('stays consistent with zero dead letters after a long freeze of orders, a Redis without its data and cut Postgres connections', async () => {
  const stats = newRetryStats();
  const startedAt = Date.now();
  const loadEndsAt = startedAt + LOAD_MS;
  const shoppers = await Promise.all(Array.from({ length: SHOPPERS }, () => Shopper.join(stack.url, stats, startedAt + 30_000)));
  const planner = new SeededRandom(4_343);
  const purchases: Purchase[] = [];
  const shopping = shoppers.map(async (buyer, i) => {
    const seller = shoppers[(i + 1) % SHOPPERS] as Shopper;
    while (Date.now() < loadEndsAt) purchases.push(await purchase(seller, buyer, planner.weighted(PLANS), Date.now() + PURCHASE_BUDGET_MS));
  });

  const faults = (async () => {
    await sleep(4_000);
    const orders = stack.services.orders?.[0];
    if (!orders?.pid) throw new Error('orders is not running');
    process.kill(-orders.pid, 'SIGSTOP');
    try {
      await sleep(FREEZE_MS / 2);
      await redis.restartWithoutData(500); // timers armed so far are gone
      await sleep(FREEZE_MS / 2);
    } finally {
      process.kill(-orders.pid, 'SIGCONT');
    }
    await sleep(3_000);
    const ticketsDb = namespaceNames(stack.namespace).database('tickets');
    await databases.query('orders', 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [ticketsDb]);
  })();
  await Promise.all([faults, ...shopping]);

  await waitFor(
    async () => {
      const [open] = await databases.query<{ orders: number }>('orders', `select count(*)::int as orders from orders where status not in ('complete', 'cancelled')`);
      const [pending] = await databases.query<{ attempts: number }>('payments', `select count(*)::int as attempts from payment_attempts where status = 'pending'`);
      return open?.orders === 0 && pending?.attempts === 0;
    },
    { timeoutMs: SETTLE_MS, intervalMs: 250, what: 'every order to end' },
  );
  await settled(eventFlow(databases, bus), SETTLE_MS);

  const state = await readSystemState(databases, await emulatorCharges(stack), await expirationDeadLetters(stack.namespace, redis.url));
  console.log(`long outage: ${purchases.length} purchases, orders frozen ${FREEZE_MS} ms, orders: ${state.orders.length}`);
  expect(state.deadLetters).toEqual([]);
  expect(inconsistencies(state, purchases)).toEqual([]);
  expect(purchases.flatMap((p) => p.oddities.map((oddity) => `${p.plan} → ${p.outcome}: ${oddity}`))).toEqual([]);
  expect(await unreadyServices(stack)).toEqual([]);
}, LOAD_MS + 240_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
