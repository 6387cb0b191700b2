import { answersInOrder, defineListener } from '@microtick/common';
import { cancelOrderReplica, orders } from '../../payments/orders-replica';
import { notifySettlersIfCancelledAndHeld, notifySettlersIfHeld } from '../../payments/settle-payment';

/**
 * Orders cancelled the order: it can no longer be paid, and every authorization held for it is
 * to be voided. This transaction only records the decision (with the order row locked, like
 * recording an authorization, so one of the two sees the other); the settler makes the Stripe
 * call after commit, so no transaction waits on Stripe. The settlers are woken only if there is a
 * payment to void (most cancelled orders were never paid); their poll is the safety net.
 *
 * No batch window: while a cancellation waits in one, POST /api/payments still takes the order
 * as payable and answers 201 (the card is voided afterwards, but the buyer was told yes).
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  async handle({ data }, { tx }) {
    // The usual case: the replica's cancellation and the settlers' conditional wake-up leave
    // together (one round trip); the wake-up runs after the cancellation's wait for the order row.
    const [cancelled] = await answersInOrder([cancelOrderReplica(tx, data), notifySettlersIfCancelledAndHeld(tx, data)]);
    if (cancelled) return;
    // Otherwise versionedReplica decides (stale, early: RetryLater), as for any event.
    const { applied } = await orders.apply(tx, data, { set: { status: 'cancelled' } });
    if (applied) await notifySettlersIfHeld(tx, data.id);
  },
});
