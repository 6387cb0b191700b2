import { BadRequestError, isUniqueViolation, NotAuthorizedError, NotFoundError, type DbExecutor } from '@microtick/common';
import { and, eq, inArray, lte } from 'drizzle-orm';
import type { PaymentsDb } from '../db/schema';
import { ordersReplica, paymentAttempts, payments, type OrderReplica, type PaymentAttempt } from '../db/schema';
import { isPastPaymentDeadline } from './deadline';
import { PaymentInProgressError } from './errors';

export type Claim =
  /** This request may now charge the card. */
  | { kind: 'new'; attempt: PaymentAttempt; order: OrderReplica }
  /** A request died while talking to Stripe; this one must find out what happened first. */
  | { kind: 'interrupted'; attempt: PaymentAttempt; order: OrderReplica };

/** The name of the index that allows one pending attempt per order. */
const ONE_PENDING_ATTEMPT_PER_ORDER = 'payment_attempts_one_pending_per_order';

/** Payment statuses that hold, or may still hold, the order's money: a second one is refused. */
export const LIVE_PAYMENT_STATUSES = ['requires_action', 'authorized', 'captured'] as const;

/**
 * Decides, with the order row locked, whether `userId` may start paying the order now, and if so
 * records a pending attempt holding a lease. The lock serialises claims for one order (and the
 * order listeners and the sweepers); the unique index on pending attempts backs it up: a claim
 * that loses on the index is answered like one that found the other attempt (409).
 */
export async function claimAttempt(
  db: PaymentsDb,
  request: { orderId: string; userId: string; paymentMethod: string },
  leaseMs: number,
): Promise<Claim> {
  try {
    return await claimWithOrderLocked(db, request, leaseMs);
  } catch (err) {
    if (isUniqueViolation(err, ONE_PENDING_ATTEMPT_PER_ORDER)) throw new PaymentInProgressError();
    throw err;
  }
}

function claimWithOrderLocked(db: PaymentsDb, request: { orderId: string; userId: string; paymentMethod: string }, leaseMs: number): Promise<Claim> {
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(ordersReplica).where(eq(ordersReplica.id, request.orderId)).for('update');
    if (!order) throw new NotFoundError('Order not found');
    if (order.userId !== request.userId) throw new NotAuthorizedError();

    const [pending] = await tx
      .select()
      .from(paymentAttempts)
      .where(and(eq(paymentAttempts.orderId, order.id), eq(paymentAttempts.status, 'pending')));
    if (pending) {
      // Whatever the order's state now, the interrupted authorization may have happened: settle it first.
      const interrupted = await renewLapsedLease(tx, pending.id, leaseMs);
      if (!interrupted) throw new PaymentInProgressError();
      return { kind: 'interrupted', attempt: interrupted, order };
    }

    if (order.status === 'cancelled') throw new BadRequestError('Order has been cancelled');
    const [live] = await tx
      .select({ status: payments.status })
      .from(payments)
      .where(and(eq(payments.orderId, order.id), inArray(payments.status, [...LIVE_PAYMENT_STATUSES])));
    if (order.status === 'complete' || live?.status === 'captured') throw new BadRequestError('Order is already paid');
    if (live) throw new BadRequestError('A payment for this order has already been authorized');
    // orders cancels the order when it expires, but that event may still be on its way.
    if (isPastPaymentDeadline(order)) throw new BadRequestError('Order has expired');

    const [attempt] = await tx
      .insert(paymentAttempts)
      .values({ orderId: order.id, paymentMethod: request.paymentMethod, lockedUntil: new Date(Date.now() + leaseMs) })
      .returning();
    return { kind: 'new', attempt: attempt!, order };
  });
}

/** Takes over one attempt whose lease has lapsed (for the sweeper), with its order locked. */
export function takeOverLapsedAttempt(db: PaymentsDb, attemptId: string, leaseMs: number): Promise<{ attempt: PaymentAttempt; order: OrderReplica } | undefined> {
  return db.transaction(async (tx) => {
    const [order] = await tx
      .select({ order: ordersReplica })
      .from(ordersReplica)
      .innerJoin(paymentAttempts, eq(paymentAttempts.orderId, ordersReplica.id))
      .where(eq(paymentAttempts.id, attemptId))
      .for('update', { of: ordersReplica });
    if (!order) return undefined;
    const attempt = await renewLapsedLease(tx, attemptId, leaseMs);
    return attempt && { attempt, order: order.order };
  });
}

/** A new lease on a pending attempt whose lease has run out; undefined if it is live or finished. */
async function renewLapsedLease(tx: DbExecutor, attemptId: string, leaseMs: number): Promise<PaymentAttempt | undefined> {
  const now = new Date();
  const [attempt] = await tx
    .update(paymentAttempts)
    .set({ lockedUntil: new Date(now.getTime() + leaseMs) })
    .where(and(eq(paymentAttempts.id, attemptId), eq(paymentAttempts.status, 'pending'), lte(paymentAttempts.lockedUntil, now)))
    .returning();
  return attempt;
}

type Outcome = { status: 'succeeded'; stripeId: string } | { status: 'declined' | 'rejected'; failure: string; stripeId?: string };

/**
 * Ends an attempt with what Stripe said; the order may be paid again unless it succeeded. Only a
 * pending attempt is ended: the first outcome recorded stands, so a request that kept talking to
 * Stripe past its lease cannot overwrite what the one that took the attempt over recorded.
 */
export async function finishAttempt(tx: DbExecutor, attemptId: string, outcome: Outcome): Promise<void> {
  await tx
    .update(paymentAttempts)
    .set({ ...outcome, finishedAt: new Date() })
    .where(and(eq(paymentAttempts.id, attemptId), eq(paymentAttempts.status, 'pending')));
}

/**
 * Gives up the lease of an attempt whose outcome is unknown, so that the next request for the
 * order (or the sweeper) settles it at once instead of waiting for the lease to run out.
 */
export async function releaseAttempt(db: PaymentsDb, attemptId: string): Promise<void> {
  await db
    .update(paymentAttempts)
    .set({ lockedUntil: new Date() })
    .where(and(eq(paymentAttempts.id, attemptId), eq(paymentAttempts.status, 'pending')));
}
