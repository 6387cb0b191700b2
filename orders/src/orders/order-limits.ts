import { and, count, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { BadRequestError, perMinuteLimiter, preparedStatement, sqlStatement, userOf, type Logger, type Params } from '@microtick/common';
import type { RequestHandler } from 'express';
import { orders, type OrdersDb } from '../db/schema';

/** Per-user abuse limits on reserving tickets (config ORDERS_RATE_LIMIT_PER_MINUTE, MAX_LIVE_ORDERS_PER_USER). */
export interface OrderLimits {
  /** Order attempts per user per minute (429 beyond). */
  perMinute: number;
  /** Unpaid orders one user may hold at once (400 beyond). */
  maxLiveOrders: number;
}

export const DEFAULT_ORDER_LIMITS: OrderLimits = { perMinute: 20, maxLiveOrders: 5 };

/** Orders that still hold a ticket and have not been paid. */
const UNPAID_LIVE = ['created', 'awaiting:payment'] as const;

/** Slows one account's churn of reservations (create, cancel, create…); keyed by the signed-in user, mount after requireAuth. */
export const orderRateLimiter = (limits: OrderLimits, logger: Logger): RequestHandler =>
  perMinuteLimiter({
    policy: 'orders-per-user',
    limit: limits.perMinute,
    logger,
    message: 'Too many orders; try again in a minute',
    keyGenerator: (req) => `user:${userOf(req).id}`,
  });

/**
 * The per-user lock as an expression, for the creating transaction to take with its first read
 * (create-order's ticket read: one statement fewer) before `assertUnderLiveOrderLimit(…, { locked: true })`.
 */
export const lockUserOrders = (userId: SQLWrapper | string): SQL => sql`pg_advisory_xact_lock(hashtextextended('orders:live:' || ${userId}, 0))`;
const lockUserOrdersAlone = sqlStatement<[userId: string]>('orders_lock_user_orders', `select pg_advisory_xact_lock(hashtextextended('orders:live:' || $1, 0))`);
const countUnpaidLive = preparedStatement('orders_count_unpaid_live', (db, p: Params<{ userId: string }>) =>
  db
    .select({ live: count() })
    .from(orders)
    .where(and(eq(orders.userId, p('userId')), inArray(orders.status, [...UNPAID_LIVE]))),
);

type Tx = Parameters<Parameters<OrdersDb['transaction']>[0]>[0];

/**
 * Refuses a new reservation when the user already holds `max` unpaid ones, so one account
 * cannot reserve every ticket. Holds for concurrent requests: a transaction-scoped advisory lock
 * per user serialises one user's order creations (other users never wait), so each count sees
 * the orders the previous creations inserted. Call first in the creating transaction; `locked`:
 * the caller took the lock (`lockUserOrders`) in an earlier statement of this transaction.
 */
export async function assertUnderLiveOrderLimit(tx: Tx, userId: string, max: number, { locked = false } = {}): Promise<void> {
  // The count is a statement of its own, after the lock's: it must take its snapshot once the lock is granted.
  if (!locked) await lockUserOrdersAlone.execute(tx, [userId]);
  const [row] = await countUnpaidLive.execute(tx, { userId });
  if ((row?.live ?? 0) >= max) {
    throw new BadRequestError(`You already have ${max} unpaid orders: pay for or cancel one before reserving another ticket`);
  }
}
