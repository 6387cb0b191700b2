import { checkVersion, defineListener } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { notifySettlers } from '../../charging/settle-payment';
import { orders } from '../../db/schema';

/**
 * Orders cancelled the order: it can no longer be paid, and every authorization held for it is
 * to be voided. This transaction only records the decision (with the order row locked, like
 * recording an authorization, so one of the two sees the other); the settler makes the Stripe
 * call after commit, so no transaction waits on Stripe.
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  async handle({ data }, { tx }) {
    const [current] = await tx.select({ version: orders.version }).from(orders).where(eq(orders.id, data.id)).for('update');
    if (checkVersion(current?.version, data.version, `order ${data.id}`) === 'stale') return;
    await tx.update(orders).set({ status: 'cancelled', version: data.version }).where(eq(orders.id, data.id));
    await notifySettlers(tx, data.id);
  },
});
