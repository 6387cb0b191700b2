import { eq } from 'drizzle-orm';
import { checkVersion, defineListener, toCents } from '@microtick/common';
import { tickets } from '../../db/schema';

/** A ticket was listed: add it to the replica (version 0; a repeat is stale and ignored). */
export const ticketCreated = defineListener({
  event: 'ticket:created',
  async handle({ data }, { tx }) {
    const [current] = await tx.select({ version: tickets.version }).from(tickets).where(eq(tickets.id, data.id));
    if (checkVersion(current?.version, data.version, `ticket ${data.id}`) === 'stale') return;
    // A concurrent delivery of the same creation may have inserted it first; then this one is stale.
    await tx
      .insert(tickets)
      .values({ id: data.id, title: data.title, priceCents: toCents(data.price), userId: data.userId, version: data.version })
      .onConflictDoNothing();
  },
});
