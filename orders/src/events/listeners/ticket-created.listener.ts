import { defineListener, toCents, versionedReplica, type DbExecutor, type TicketCreated } from '@microtick/common';
import { ticketsReplica } from '../../db/schema';

const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });

/**
 * A ticket was listed: add it to the replica (version 0; a repeat is stale and ignored). The
 * insert leaves with COMMIT: nothing here needs its answer, and this event's lag (listed → on
 * sale in orders) is a round trip shorter.
 */
export const ticketCreated = defineListener({
  event: 'ticket:created',
  handle: ({ data }, { tx }) => addToReplica(tx, data),
  /**
   * Events that arrived together (a burst of listings, a backlog) in one transaction with one
   * claim and no savepoint each: every insert leaves with COMMIT, so the batch costs two round
   * trips. No window: at a trickle each event is handled alone, as soon as it comes. All or
   * nothing: if the batch fails, the runner adds each ticket alone.
   */
  async handleBatch(events, { tx }) {
    for (const { data } of events) await addToReplica(tx, data);
  },
});

const addToReplica = (tx: DbExecutor, data: TicketCreated) =>
  tickets.createWithCommit(tx, data, { title: data.title, priceCents: toCents(data.price), userId: data.userId });
