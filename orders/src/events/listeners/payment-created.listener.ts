import { defineListener } from '@microtick/common';
import { completeOrder, findOrder } from '../../orders/transitions';

/** An order was paid: it is complete, unless it was cancelled first (payments then refunds). */
export const paymentCreated = defineListener({
  event: 'payment:created',
  async handle({ data }, { tx }) {
    const order = await findOrder(tx, data.orderId);
    // Payments only charges orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!order) throw new Error(`payment for unknown order ${data.orderId}`);
    await completeOrder(tx, order);
  },
});
