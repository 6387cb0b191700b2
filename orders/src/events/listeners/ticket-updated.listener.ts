import { answersInOrder, defineListener, toCents, versionedReplica, type DbExecutor, type TicketUpdated } from '@microtick/common';
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
  handle: ({ data }, { tx }) => applyUpdate(tx, data),
  /**
   * A window's updates in one transaction (one claim, no savepoint each), their UPDATEs sent
   * together when each is for another ticket: one round trip for the window instead of one per
   * update. Each touches only its own ticket's row, so none depends on another's answer. Several
   * versions of one ticket go one after the other, in stream order. All or nothing: an early
   * version (RetryLater) or a failure rolls the window back and the runner applies each alone.
   */
  async handleBatch(events, { tx }) {
    const updates = events.map(({ data }) => data);
    if (new Set(updates.map((update) => update.id)).size < updates.length) {
      for (const update of updates) await applyUpdate(tx, update);
      return;
    }
    // Every update settled before the window's outcome is known (answersInOrder): none still sends a statement when the transaction ends.
    await answersInOrder(updates.map((update) => applyUpdate(tx, update)));
  },
  // Every purchase and every expiry sends one (the ticket held, the ticket released), and nothing
  // here waits for it: the replica's holder is read by nobody, and a new price reaches new orders
  // this much later. The updates of a window share one transaction (BEGIN, claims, COMMIT).
  batchWindowMs: TICKET_UPDATE_WINDOW_MS,
});

const applyUpdate = async (tx: DbExecutor, data: TicketUpdated): Promise<void> => {
  await tickets.apply(tx, data, { set: { title: data.title, priceCents: toCents(data.price), userId: data.userId } });
};
