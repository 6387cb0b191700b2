import { defineListener, RetryLater } from '@microtick/common';
import { EXPIRATION_FAIRNESS_WAIT_MS } from '../../orders/expiry';
import { sendCancelById, settleCancelById } from '../../orders/transitions';

/**
 * An order's payment window passed. Expiration fires whether or not the order was paid, so a
 * complete or already cancelled order is left alone and nothing is published for it. Otherwise
 * the order is cancelled (`order:cancelled`: tickets releases the ticket, payments voids any
 * authorization it holds) through the same transition as the buyer's own cancellation.
 *
 * The fairness wait (docs/payments.md) decides first, for every expiration: asking costs nothing
 * when payments are caught up (one shared question per burst), and it lets the cancellation be
 * a single conditional UPDATE, without reading the order first (sent while the question is
 * out, rolled back when the answer is "not yet"). An expiration of an order that
 * turns out to be paid or cancelled may thus have waited for nothing, at most the same 10 s.
 */
export const expirationComplete = defineListener({
  event: 'expiration:complete',
  async handle({ data }, { tx }, delivery) {
    const mayStillWait = Date.now() - delivery.firstSeenAt < EXPIRATION_FAIRNESS_WAIT_MS;
    // The cancel (and its waiting-list lock) leaves at once — in a batch, in the same write as
    // this event's savepoint — while the fairness answer is awaited, but nothing is staged before
    // that answer is in: "not yet" throws, and the cancel is rolled back with the event's
    // savepoint (or transaction), its row lock released. A payment decision the cancel meets on
    // the order row is waited for and seen, as before.
    const [fair, sent] = await Promise.allSettled([mayStillWait ? delivery.caughtUpWith('payment:created') : true, sendCancelById(tx, data.orderId)]);
    if (fair.status === 'rejected') throw fair.reason;
    if (!fair.value) throw new RetryLater('letting earlier authorizations be decided first');
    if (sent.status === 'rejected') throw sent.reason;
    // Expiration only times orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!(await settleCancelById(tx, data.orderId, sent.value))) throw new Error(`expiration for unknown order ${data.orderId}`);
  },
});
