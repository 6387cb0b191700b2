import { defineListener, RetryLater } from '@microtick/common';
import { cancelOrder, findOrder } from '../../orders/transitions';

/**
 * An order's payment window passed. Expiration fires whether or not the order was paid, so a
 * complete or already cancelled order is left alone and nothing is published for it.
 *
 * A payment and the expiration race at the end of the window. Payments records a payment only
 * until a margin before `expiresAt`, so a payment the buyer was told about is in the stream
 * before the expiration; but the two events reach this service on different consumers, in any
 * order (e.g. both queued while this service was down). So the expiration waits until every
 * payment published before it has been applied: then "complete" wins, as the buyer was told.
 */
export const expirationComplete = defineListener({
  event: 'expiration:complete',
  async handle({ data }, { tx }, delivery) {
    if (!(await delivery.caughtUpWith('payment:created'))) throw new RetryLater('waiting for earlier payments to be applied');
    const order = await findOrder(tx, data.orderId);
    // Expiration only times orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!order) throw new Error(`expiration for unknown order ${data.orderId}`);
    await cancelOrder(tx, order);
  },
});
