import { defineListener, RetryLater } from '@microtick/common';
import { EXPIRATION_FAIRNESS_WAIT_MS } from '../../orders/expiry';
import { cancelOrder, findOrder } from '../../orders/transitions';

/**
 * An order's payment window passed. Expiration fires whether or not the order was paid, so a
 * complete or already cancelled order is left alone and nothing is published for it. Otherwise
 * the order is cancelled (`order:cancelled`: tickets releases the ticket, payments voids any
 * authorization it holds) through the same transition as the buyer's own cancellation.
 */
export const expirationComplete = defineListener({
  event: 'expiration:complete',
  async handle({ data }, { tx }, delivery) {
    const order = await findOrder(tx, data.orderId);
    // Expiration only times orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!order) throw new Error(`expiration for unknown order ${data.orderId}`);
    if (order.status === 'created' || order.status === 'awaiting:payment') {
      const mayStillWait = Date.now() - delivery.firstSeenAt < EXPIRATION_FAIRNESS_WAIT_MS;
      if (mayStillWait && !(await delivery.caughtUpWith('payment:created'))) throw new RetryLater('letting earlier authorizations be decided first');
    }
    await cancelOrder(tx, order);
  },
});
