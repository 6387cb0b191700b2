import type { Logger } from '@microtick/common';
import { and, asc, eq, lte } from 'drizzle-orm';
import { paymentAttempts } from '../db/schema';
import { takeOverLapsedAttempt } from './payment-attempts';
import { settleAttempt, type PaymentDeps } from './settle-attempt';

const BATCH = 50;

/**
 * Settles attempts whose request died mid-authorization (their lease lapsed) even if nobody asks
 * again: Stripe may hold the money, and then the authorization must be recorded (and orders told)
 * or, if the order was cancelled meanwhile, voided. Returns how many it settled.
 */
export async function settleLapsedAttempts(deps: PaymentDeps, logger: Logger): Promise<number> {
  const lapsed = await deps.db
    .select({ id: paymentAttempts.id })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.status, 'pending'), lte(paymentAttempts.lockedUntil, new Date())))
    .orderBy(asc(paymentAttempts.lockedUntil))
    .limit(BATCH);
  let settled = 0;
  for (const { id } of lapsed) {
    const claimed = await takeOverLapsedAttempt(deps.db, id, deps.attemptLeaseMs);
    if (!claimed) continue; // a request or another replica got there first
    try {
      const outcome = await settleAttempt(deps, claimed.attempt, claimed.order);
      logger.warn({ attemptId: id, orderId: claimed.order.id, outcome: outcome.kind }, 'settled a lapsed payment attempt');
      settled += 1;
    } catch (err) {
      logger.error({ err, attemptId: id }, 'cannot settle a lapsed payment attempt yet; will retry');
    }
  }
  return settled;
}

/** Runs `settleLapsedAttempts` every `intervalMs` (skipping a tick while one runs); the returned function stops it. */
export function startAttemptSweeper(deps: PaymentDeps, logger: Logger, intervalMs: number): () => Promise<void> {
  let sweeping: Promise<void> | undefined;
  const timer = setInterval(() => {
    sweeping ??= settleLapsedAttempts(deps, logger)
      .then(
        () => undefined,
        (err: unknown) => logger.error({ err }, 'payment attempt sweep failed'),
      )
      .finally(() => {
        sweeping = undefined;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sweeping;
  };
}
