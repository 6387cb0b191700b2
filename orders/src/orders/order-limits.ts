import { BadRequestError, perMinuteLimiter, userOf, type Logger } from '@microtick/common';
import type { RequestHandler } from 'express';

/** Per-user abuse limits on reserving tickets (config ORDERS_RATE_LIMIT_PER_MINUTE, MAX_LIVE_ORDERS_PER_USER). */
export interface OrderLimits {
  /** Order attempts per user per minute (429 beyond). */
  perMinute: number;
  /** Unpaid orders one user may hold at once (400 beyond). */
  maxLiveOrders: number;
}

export const DEFAULT_ORDER_LIMITS: OrderLimits = { perMinute: 20, maxLiveOrders: 5 };

/**
 * Orders that still hold a ticket and have not been paid: what the live-order limit counts
 * (reserve-ticket.ts, under the buyer's order-limit lock).
 */
export const UNPAID_LIVE = ['created', 'awaiting:payment'] as const;

/** Slows one account's churn of reservations (create, cancel, create…); keyed by the signed-in user, mount after requireAuth. */
export const orderRateLimiter = (limits: OrderLimits, logger: Logger): RequestHandler =>
  perMinuteLimiter({
    policy: 'orders-per-user',
    limit: limits.perMinute,
    logger,
    message: 'Too many orders; try again in a minute',
    keyGenerator: (req) => `user:${userOf(req).id}`,
  });

export const liveOrderLimitReached = (max: number): BadRequestError =>
  new BadRequestError(`You already have ${max} unpaid orders: pay for or cancel one before reserving another ticket`);
