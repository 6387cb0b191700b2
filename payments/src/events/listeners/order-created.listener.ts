import { checkVersion, defineListener, toCents } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { orders } from '../../db/schema';

/** Starts the replica of an order (version 0) so that its owner can pay it. */
export const orderCreated = defineListener({
  event: 'order:created',
  async handle({ data }, { tx }) {
    const [current] = await tx.select({ version: orders.version }).from(orders).where(eq(orders.id, data.id));
    if (checkVersion(current?.version, data.version, `order ${data.id}`) === 'stale') return;
    await tx.insert(orders).values({
      id: data.id,
      version: data.version,
      status: data.status,
      userId: data.userId,
      expiresAt: new Date(data.expiresAt),
      priceCents: toCents(data.ticket.price),
    });
  },
});
