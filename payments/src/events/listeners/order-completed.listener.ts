import { defineListener } from '@microtick/common';
import { orders } from '../../payments/orders-replica';
import { notifySettlers } from '../../payments/settle-payment';

/**
 * Orders completed the order with the authorization `paymentId`: that one is to be captured (any
 * other still held for the order voided). Recorded here; the settler calls Stripe after commit.
 */
export const orderCompleted = defineListener({
  event: 'order:completed',
  async handle({ data }, { tx }) {
    const { applied } = await orders.apply(tx, data, { set: { status: 'complete', completedByPaymentId: data.paymentId } });
    if (applied) await notifySettlers(tx, data.id);
  },
});
