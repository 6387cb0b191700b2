import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { BadRequestError, perMinuteLimiter, userOf, type Logger } from '@microtick/common';
import type { RequestHandler } from 'express';
import { orders } from '../db/schema';

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
 * (create-order's ticket read: one statement fewer), before the statement that checks the limit.
 */
export const lockUserOrders = (userId: SQLWrapper | string): SQL => sql`pg_advisory_xact_lock(hashtextextended('orders:live:' || ${userId}, 0))`;

/**
 * True while the user holds fewer than `max` unpaid orders, so one account cannot reserve every
 * ticket: the condition of create-order's insert. Holds for concurrent requests: the advisory
 * lock (`lockUserOrders`, taken by an EARLIER statement of the transaction) serialises one user's
 * order creations (other users never wait), and this count, in a later statement, takes its
 * snapshot once the lock is granted, so it sees the orders the previous creations inserted.
 * (In the locking statement itself it would count with a snapshot taken before the wait.)
 */
export const underLiveOrderLimit = (userId: SQLWrapper, max: SQLWrapper): SQL =>
  sql`(select count(*) from ${orders} where ${orders.userId} = ${userId} and ${orders.status} in (${sql.join(
    UNPAID_LIVE.map((status) => sql.raw(`'${status}'`)),
    sql`, `,
  )})) < ${max}`;

export const liveOrderLimitReached = (max: number): BadRequestError =>
  new BadRequestError(`You already have ${max} unpaid orders: pay for or cancel one before reserving another ticket`);
