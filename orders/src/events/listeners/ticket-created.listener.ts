import { defineListener, toCents, versionedReplica } from '@microtick/common';
import { ticketsReplica } from '../../db/schema';

const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });

/** A ticket was listed: add it to the replica (version 0; a repeat is stale and ignored). */
export const ticketCreated = defineListener({
  event: 'ticket:created',
  async handle({ data }, { tx }) {
    await tickets.apply(tx, data, { values: { title: data.title, priceCents: toCents(data.price), userId: data.userId } });
  },
});
