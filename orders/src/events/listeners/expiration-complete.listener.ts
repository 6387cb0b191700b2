import { defineListener } from '@microtick/common';
import { cancelOrder, findOrder } from '../../orders/transitions';

/**
 * An order's payment window passed. Expiration fires whether or not the order was paid, so a
 * complete or already cancelled order is left alone and nothing is published for it.
 */
export const expirationComplete = defineListener({
  event: 'expiration:complete',
  async handle({ data }, { tx }) {
    const order = await findOrder(tx, data.orderId);
    // Expiration only times orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!order) throw new Error(`expiration for unknown order ${data.orderId}`);
    await cancelOrder(tx, order);
  },
});
