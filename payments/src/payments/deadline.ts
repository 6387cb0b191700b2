import type { OrderReplica } from '../db/schema';

/**
 * Payments accept an authorization until `expiresAt` itself: no margin. Whether an authorization
 * that finishes around the deadline wins is decided by orders alone (SPEC §6; docs/payments.md),
 * so this check only spares the buyer a pointless authorization.
 */
export const isPastPaymentDeadline = (order: Pick<OrderReplica, 'expiresAt'>, now = Date.now()): boolean => now >= order.expiresAt.getTime();
