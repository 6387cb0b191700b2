import { defineListener, toCents, type DbExecutor, type OrderCreated } from '@microtick/common';
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
  handle: ({ data }, { tx }) => startReplica(tx, data),
  /**
   * The window's events in one transaction with one claim and no savepoint each: their inserts
   * all leave with COMMIT, so a batch costs two round trips, not one more per event for a
   * savepoint that guards nothing (the insert comes after it, with COMMIT). All or nothing: if
   * the batch fails, the runner applies its events one by one.
   */
  async handleBatch(events, { tx }) {
    for (const { data } of events) await startReplica(tx, data);
  },
  batchWindowMs: 50,
  // The window gathers 35 orders at 700 a second; a batch's BEGIN, claim and COMMIT, its pool
  // connection and its acks cost the same for 20 as for 50.
  batchSize: 50,
});

/** The order's replica at version 0; the insert leaves with COMMIT (nothing here needs its answer). */
const startReplica = (tx: DbExecutor, data: OrderCreated) =>
  orders.createWithCommit(tx, data, { status: data.status, userId: data.userId, expiresAt: new Date(data.expiresAt), priceCents: toCents(data.ticket.price) });
