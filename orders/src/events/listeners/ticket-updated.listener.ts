import { defineListener, toCents, versionedReplica } from '@microtick/common';
import { ticketsReplica } from '../../db/schema';

const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });

/** How long a ticket:updated waits for others to share its transaction. */
export const TICKET_UPDATE_WINDOW_MS = 20;

/**
 * A ticket changed: apply version N only on top of N-1. An early version is held back
 * (RetryLater) and redelivered; an old one is a no-op.
 */
export const ticketUpdated = defineListener({
  event: 'ticket:updated',
  async handle({ data }, { tx }) {
    await tickets.apply(tx, data, { set: { title: data.title, priceCents: toCents(data.price), userId: data.userId } });
  },
  // Every purchase and every expiry sends one (the ticket held, the ticket released), and nothing
  // here waits for it: the replica's holder is read by nobody, and a new price reaches new orders
  // this much later. The updates of a window share one transaction (BEGIN, claims, COMMIT).
  batchWindowMs: TICKET_UPDATE_WINDOW_MS,
});
