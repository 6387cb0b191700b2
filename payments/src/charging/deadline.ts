import type { Order } from '../db/schema';

/**
 * Payments close this long before `expiresAt`. A payment recorded before then reaches the bus
 * (outbox relay: milliseconds) before expiration fires its `expiration:complete`, and orders
 * applies payments published before an expiration first, so a buyer told "paid" keeps the ticket.
 */
export const CLOSE_BEFORE_EXPIRY_MS = 1_000;

/** True when the order can no longer be paid: a charge now must be refused (or refunded). */
export const isPastPaymentDeadline = (order: Pick<Order, 'expiresAt'>, now = Date.now()): boolean =>
  now >= order.expiresAt.getTime() - CLOSE_BEFORE_EXPIRY_MS;
