import { defineListener, toCents, versionedReplica, type DbExecutor, type TicketUpdated } from '@microtick/common';
import { ticketsReplica } from '../../db/schema';

const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });

/**
 * How long a ticket:updated waits for others to share its transaction: 50 ms gathers 35 at 700
 * purchases a second (20 ms gathered 14), and a window costs its BEGIN, claims, COMMIT and acks
 * whatever its size. Nothing here waits for an update (below).
 */
export const TICKET_UPDATE_WINDOW_MS = 50;

/**
 * A ticket changed: apply version N only on top of N-1. An early version is held back
 * (RetryLater) and redelivered; an old one is a no-op.
 */
export const ticketUpdated = defineListener({
  event: 'ticket:updated',
  handle: ({ data }, { tx }) => applyUpdate(tx, data),
  /**
   * A window's updates in one transaction (one claim, no savepoint each), each the next version
   * of its ticket as a rule: one UPDATE for all of them (versionedReplica's setTogether), and
   * the few it did not apply decided one by one as `handle` would. Several versions of one
   * ticket go one after the other, in stream order. All or nothing: an early version
   * (RetryLater) or a failure rolls the window back and the runner applies each alone.
   */
  async handleBatch(events, { tx }) {
    await tickets.setTogether(tx, events.map(({ data }) => ({ event: data, set: changeOf(data) })));
  },
  // Every purchase and every expiry sends one (the ticket held, the ticket released), and nothing
  // here waits for it: the replica's holder is read by nobody, and a new price reaches new orders
  // this much later. The updates of a window share one transaction (BEGIN, claims, COMMIT).
  batchWindowMs: TICKET_UPDATE_WINDOW_MS,
  batchSize: 50,
});

const changeOf = (data: TicketUpdated) => ({ title: data.title, priceCents: toCents(data.price), userId: data.userId });

const applyUpdate = async (tx: DbExecutor, data: TicketUpdated): Promise<void> => {
  await tickets.apply(tx, data, { set: changeOf(data) });
};
