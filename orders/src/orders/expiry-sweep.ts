import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { EventType, Logger, ServiceMetrics } from '@microtick/common';
import { orders, type OrdersDb } from '../db/schema';
import { EXPIRATION_FAIRNESS_WAIT_MS } from './expiry';
import { cancelOrder } from './transitions';

export interface ExpirySweepOptions {
  db: OrdersDb;
  logger: Logger;
  /** An unpaid order is swept only this long after `expiresAt`: expiration's timer normally comes first. */
  graceSeconds: number;
  intervalSeconds: number;
  /**
   * True once orders has applied every `event` published so far. Like the `expiration:complete`
   * listener, the sweep lets authorizations already in the stream be decided first (an order
   * authorized in time completes instead of being cancelled right after an outage of orders),
   * for at most EXPIRATION_FAIRNESS_WAIT_MS past the grace; then it cancels anyway (payments
   * voids the hold): fairness, not correctness, so it may not hold a reservation forever.
   */
  caughtUpWith(event: EventType): Promise<boolean>;
  metrics?: ServiceMetrics;
}

/** Orders cancelled per round at most; the next round takes the rest. */
const BATCH = 100;

const UNPAID = ['created', 'awaiting:payment'] as const;

/**
 * Orders is the source of truth for reservations, and the BullMQ timer is only its prompt
 * trigger: if the `expiration:complete` never comes (Redis lost the job or its data, the event
 * was dead-lettered, expiration is down), an order still unpaid `graceSeconds` after its
 * `expiresAt` is cancelled here, through the same `cancelOrder` (same transition, same
 * `order:cancelled`), so a late timer then finds it cancelled and does nothing. Each order is
 * cancelled in its own transaction under `FOR UPDATE SKIP LOCKED`: replicas sweeping at once
 * (or a listener cancelling it right now) never cancel it twice. Times are the database's clock.
 * Returns how many orders this round cancelled, or `undefined` if every overdue order was left
 * for earlier authorizations to be decided first.
 */
export async function sweepExpiredOrders({
  db,
  graceSeconds,
  caughtUpWith,
  logger,
}: Pick<ExpirySweepOptions, 'db' | 'graceSeconds' | 'caughtUpWith'> & { logger?: Logger }): Promise<number | undefined> {
  const overdue = sql`now() - make_interval(secs => ${graceSeconds})`;
  const candidates = await db
    .select({ id: orders.id, overdueMs: sql<number>`(extract(epoch from (${overdue} - ${orders.expiresAt})) * 1000)::float8` })
    .from(orders)
    .where(and(inArray(orders.status, [...UNPAID]), lt(orders.expiresAt, overdue)))
    .orderBy(asc(orders.expiresAt))
    .limit(BATCH);
  if (candidates.length === 0) return 0;
  const paymentsCaughtUp = await caughtUpWith('payment:created');
  const due = paymentsCaughtUp ? candidates : candidates.filter((c) => c.overdueMs >= EXPIRATION_FAIRNESS_WAIT_MS);
  if (due.length === 0) return undefined;
  let cancelled = 0;
  for (const { id } of due) {
    try {
      const changed = await db.transaction(async (tx) => {
        const [order] = await tx
          .select()
          .from(orders)
          .where(and(eq(orders.id, id), inArray(orders.status, [...UNPAID]), lt(orders.expiresAt, overdue)))
          .for('update', { skipLocked: true });
        if (!order) return false; // settled meanwhile, or another replica is on it
        return (await cancelOrder(tx, order)).changed;
      });
      if (changed) cancelled++;
    } catch (err) {
      // One order that cannot be cancelled now must not hold back the others; the next round retries it.
      logger?.error({ err, orderId: id }, 'expiry sweep could not cancel an order; will retry');
    }
  }
  return cancelled;
}

/** Runs the sweep every `intervalSeconds`; returns the function that stops it (awaiting a running round). */
export function startExpirySweep(options: ExpirySweepOptions): () => Promise<void> {
  const { logger } = options;
  let running: Promise<void> = Promise.resolve();
  const round = () => {
    running = running.then(async () => {
      try {
        const cancelled = await sweepExpiredOrders(options);
        if (cancelled === undefined) logger.info('expiry sweep deferred: earlier authorizations are not applied yet');
        else if (cancelled > 0) {
          options.metrics?.backstopActions.inc({ action: 'order_expired' }, cancelled);
          logger.warn({ cancelled }, 'unpaid orders cancelled by the expiry sweep (their expiration timer was lost or late)');
        }
      } catch (err) {
        logger.error({ err }, 'expiry sweep failed; the next round will retry');
      }
    });
  };
  const timer = setInterval(round, options.intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
