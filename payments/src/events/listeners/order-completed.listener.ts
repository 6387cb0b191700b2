import { checkVersion, defineListener } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { notifySettlers } from '../../charging/settle-payment';
import { orders } from '../../db/schema';

/**
 * Orders completed the order with the authorization `paymentId`: that one is to be captured (any
 * other still held for the order voided). Recorded here; the settler calls Stripe after commit.
 */
export const orderCompleted = defineListener({
  event: 'order:completed',
  async handle({ data }, { tx }) {
    const [current] = await tx.select({ version: orders.version }).from(orders).where(eq(orders.id, data.id)).for('update');
    if (checkVersion(current?.version, data.version, `order ${data.id}`) === 'stale') return;
    await tx.update(orders).set({ status: 'complete', version: data.version, completedByPaymentId: data.paymentId }).where(eq(orders.id, data.id));
    await notifySettlers(tx, data.id);
  },
});
