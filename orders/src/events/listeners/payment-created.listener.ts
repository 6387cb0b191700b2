import { defineListener } from '@microtick/common';
import { completeOrderById } from '../../orders/transitions';

/**
 * The order's price is authorized on the buyer's card. Orders decides, in this one transaction:
 * an unpaid order becomes complete (order:completed → payments captures); a cancelled order stays
 * cancelled (payments voids the authorization on order:cancelled). No clock is consulted: payments
 * only authorizes before `expiresAt`, and whichever of this and the expiration commits first wins.
 */
export const paymentCreated = defineListener({
  event: 'payment:created',
  async handle({ data }, { tx }) {
    // Payments only authorizes orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!(await completeOrderById(tx, data.orderId, { id: data.id }))) throw new Error(`payment for unknown order ${data.orderId}`);
  },
});
