import type { Order } from '../db/schema';

/**
 * Payments close this long before `expiresAt`. A payment recorded before then reaches the bus
 * before expiration fires its `expiration:complete` — the outbox relay takes milliseconds, and
 * the margin also covers this service being killed right after the commit and restarted (its
 * relay then publishes the row) — and orders applies payments published before an expiration
 * first, so a buyer told "paid" keeps the ticket. The chaos test found 1 s too short for that.
 */
export const CLOSE_BEFORE_EXPIRY_MS = 5_000;

/** True when the order can no longer be paid: a charge now must be refused (or refunded). */
export const isPastPaymentDeadline = (order: Pick<Order, 'expiresAt'>, now = Date.now()): boolean =>
  now >= order.expiresAt.getTime() - CLOSE_BEFORE_EXPIRY_MS;
