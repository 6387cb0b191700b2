import { defineListener, toCents, versionedReplica } from '@microtick/common';
import { ticketsReplica } from '../../db/schema';

const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });

/**
 * A ticket changed: apply version N only on top of N-1. An early version is held back
 * (RetryLater) and redelivered; an old one is a no-op.
 */
export const ticketUpdated = defineListener({
  event: 'ticket:updated',
  async handle({ data }, { tx }) {
    await tickets.apply(tx, data, { set: { title: data.title, priceCents: toCents(data.price), userId: data.userId } });
  },
});
