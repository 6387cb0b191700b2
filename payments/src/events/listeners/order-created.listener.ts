import { defineListener, toCents } from '@microtick/common';
import { orders } from '../../payments/orders-replica';

/**
 * Starts the replica of an order (version 0) so that its owner can pay it. Until it is applied
 * POST /api/payments answers 404 and the client tries again (an order is paid seconds after it
 * is placed, not milliseconds), so the orders of a short window share one transaction: every
 * purchase sends one, and per event that saves BEGIN with its claim and COMMIT.
 *
 * (order:cancelled has no window: while a cancellation waited in it the cancelled order would
 * still be payable.)
 */
export const orderCreated = defineListener({
  event: 'order:created',
  async handle({ data }, { tx }) {
    // The insert leaves with COMMIT (or the batch's COMMIT): nothing here needs its answer.
    await orders.createWithCommit(tx, data, { status: data.status, userId: data.userId, expiresAt: new Date(data.expiresAt), priceCents: toCents(data.ticket.price) });
  },
  batchWindowMs: 50,
});
