import { and, eq } from 'drizzle-orm';
import { checkVersion, defineListener, RetryLater, toCents } from '@microtick/common';
import { tickets } from '../../db/schema';

/**
 * A ticket changed: apply version N only on top of N-1. An early version is held back
 * (RetryLater) and redelivered; an old one is a no-op.
 */
export const ticketUpdated = defineListener({
  event: 'ticket:updated',
  async handle({ data }, { tx }) {
    const [current] = await tx.select({ version: tickets.version }).from(tickets).where(eq(tickets.id, data.id));
    if (checkVersion(current?.version, data.version, `ticket ${data.id}`) === 'stale' || !current) return;
    const [applied] = await tx
      .update(tickets)
      .set({ title: data.title, priceCents: toCents(data.price), userId: data.userId, version: data.version })
      .where(and(eq(tickets.id, data.id), eq(tickets.version, current.version)))
      .returning({ id: tickets.id });
    // Another delivery applied a version between our read and our write: decide again later.
    if (!applied) throw new RetryLater(`ticket ${data.id} changed while applying version ${data.version}`);
  },
});
