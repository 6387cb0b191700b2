import { defineListener, RetryLater, type Delivery } from '@microtick/common';
import { EXPIRATION_FAIRNESS_WAIT_MS } from '../../orders/expiry';
import { sendCancelAllById, sendCancelById, settleCancelAllById, settleCancelById } from '../../orders/transitions';

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
 *
 * Expiries that arrive together (a burst: orders fall due as they were placed) are applied
 * together (`handleBatch`): one UPDATE for all of them, one lock statement for their tickets'
 * waiting lists, one fairness question for the latest of them, one transaction. Anything it
 * cannot settle for all of them (not yet fair, an unknown order) throws, and the runner then
 * handles each expiry alone with `handle`, so a wait or a dead letter stays that one event's.
 */
export const expirationComplete = defineListener({
  event: 'expiration:complete',
  async handle({ data }, { tx }, delivery) {
    // The cancel (and its waiting-list lock) leaves at once — in a batch, in the same write as
    // this event's savepoint — while the fairness answer is awaited, but nothing is staged before
    // that answer is in: "not yet" throws, and the cancel is rolled back with the event's
    // savepoint (or transaction), its row lock released. A payment decision the cancel meets on
    // the order row is waited for and seen, as before.
    const [fair, sent] = await Promise.allSettled([fairnessAnswer([delivery]), sendCancelById(tx, data.orderId)]);
    if (fair.status === 'rejected') throw fair.reason;
    if (!fair.value) throw new RetryLater('letting earlier authorizations be decided first');
    if (sent.status === 'rejected') throw sent.reason;
    // Expiration only times orders we announced, so an unknown one is an anomaly: retried, then parked.
    if (!(await settleCancelById(tx, data.orderId, sent.value))) throw new Error(`expiration for unknown order ${data.orderId}`);
  },
  async handleBatch(events, { tx }, deliveries) {
    const orderIds = events.map(({ data }) => data.orderId);
    const [fair, sent] = await Promise.allSettled([fairnessAnswer(deliveries), sendCancelAllById(tx, orderIds)]);
    if (fair.status === 'rejected') throw fair.reason;
    if (!fair.value) throw new RetryLater('letting earlier authorizations be decided first');
    if (sent.status === 'rejected') throw sent.reason;
    const { undecided } = await settleCancelAllById(tx, orderIds, sent.value);
    if (undecided.length > 0) throw new Error(`expiration for unknown orders ${undecided.join(', ')}`);
  },
});

/**
 * Whether every `payment:created` published before these expiries has been applied, for those
 * still within their fairness wait: one question, for the latest of them (the consumer's progress
 * only grows, so it answers for the earlier ones too). None still waiting: true.
 */
function fairnessAnswer(deliveries: readonly Delivery[]): Promise<boolean> | true {
  const now = Date.now();
  let latest: Delivery | undefined;
  for (const delivery of deliveries) {
    if (now - delivery.firstSeenAt >= EXPIRATION_FAIRNESS_WAIT_MS) continue;
    if (!latest || delivery.streamSequence > latest.streamSequence) latest = delivery;
  }
  return latest ? latest.caughtUpWith('payment:created') : true;
}
