import { waitFor } from '@microtick/common/testing';
import { DEFAULT_INFRA } from '../../infra/local/src/stack';
import type { Stack } from '../../infra/local/src/stack';
import { inconsistencies, readSystemState, type SystemState } from './consistency';
import { expirationDeadLetters } from './expiration-dead-letters';
import { SeededRandom } from './seeded-random';
import { type BusProbe, eventFlow, settled } from './settle';
import { newRetryStats, purchase, Shopper, type Plan, type Purchase, type RetryStats } from './shopper';
import type { StackDatabases } from './stack-databases';
import { emulatorCharges } from './stripe-charges';

/** Purchase flows for as long as something else (a failure, a scale-out) goes on beside them. */
export interface PurchaseRun {
  purchases: Purchase[];
  stats: RetryStats;
}

/**
 * `shoppers` buyers, each buying from the next, run purchase flows by `plans` (weighted, seeded)
 * until `until`; each purchase may take `purchaseBudgetMs`, retrying through transient failures.
 */
export async function shopUntil(stack: Stack, options: { shoppers: number; until: number; seed: number; plans: readonly (readonly [Plan, number])[]; purchaseBudgetMs: number }): Promise<PurchaseRun> {
  const stats = newRetryStats();
  const shoppers = await Promise.all(Array.from({ length: options.shoppers }, () => Shopper.join(stack.url, stats, Date.now() + 30_000)));
  const planner = new SeededRandom(options.seed);
  const purchases: Purchase[] = [];
  await Promise.all(
    shoppers.map(async (buyer, i) => {
      const seller = shoppers[(i + 1) % shoppers.length] as Shopper;
      while (Date.now() < options.until) purchases.push(await purchase(seller, buyer, planner.weighted(options.plans), Date.now() + options.purchaseBudgetMs));
    }),
  );
  return { purchases, stats };
}

/**
 * Waits (bounded) until every order has ended and every event has run its course, then reads the
 * whole system's state. `problems`: what did not settle in time, and every inconsistency.
 */
export async function settleAndCheck(stack: Stack, databases: StackDatabases, bus: BusProbe, run: PurchaseRun, settleMs: number): Promise<{ state: SystemState; problems: string[] }> {
  const problems: string[] = [];
  try {
    await waitFor(
      async () => {
        const [open] = await databases.query<{ orders: number }>('orders', `select count(*)::int as orders from orders where status not in ('complete', 'cancelled')`);
        const [pending] = await databases.query<{ attempts: number }>('payments', `select count(*)::int as attempts from payment_attempts where status = 'pending'`);
        return open?.orders === 0 && pending?.attempts === 0;
      },
      { timeoutMs: settleMs, intervalMs: 250, what: 'every order to end and every payment attempt to be settled' },
    );
    await settled(eventFlow(databases, bus), settleMs);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const state = await readSystemState(databases, await emulatorCharges(stack), await expirationDeadLetters(stack.namespace, DEFAULT_INFRA.redis));
  problems.push(...inconsistencies(state, run.purchases));
  problems.push(...run.purchases.flatMap((p) => p.oddities.map((oddity) => `${p.plan} → ${p.outcome}: ${oddity}`)));
  return { state, problems };
}

/** One line per kind of outcome, e.g. `pay → paid ×12, cancel → cancelled ×3`. */
export const countOutcomes = (purchases: readonly Purchase[]): string =>
  Object.entries(purchases.reduce<Record<string, number>>((acc, p) => ({ ...acc, [`${p.plan} → ${p.outcome}`]: (acc[`${p.plan} → ${p.outcome}`] ?? 0) + 1 }), {}))
    .map(([name, n]) => `${name} ×${n}`)
    .join(', ') || 'none';
