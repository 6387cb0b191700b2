import { defineListener, toCents, versionedReplica } from '@microtick/common';
import { ticketsReplica } from '../../db/schema';

const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });

/**
 * A ticket was listed: add it to the replica (version 0; a repeat is stale and ignored). The
 * insert leaves with COMMIT: nothing here needs its answer, and this event's lag (listed → on
 * sale in orders) is a round trip shorter.
 */
export const ticketCreated = defineListener({
  event: 'ticket:created',
  async handle({ data }, { tx }) {
    await tickets.createWithCommit(tx, data, { title: data.title, priceCents: toCents(data.price), userId: data.userId });
  },
});
