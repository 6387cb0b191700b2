import { isUuid, ServiceUnavailableError } from '@microtick/common';
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { PaymentsDb } from '../db/schema';
import { ordersReplica, payments, stripeEvents } from '../db/schema';
import { stageAuthorized } from './settle-attempt';
import { notifySettlers } from './settle-payment';

export type WebhookOutcome = 'handled' | 'duplicate' | 'ignored';

/**
 * Stripe's asynchronous word on a PaymentIntent, applied once per Stripe event id (recorded in the
 * same transaction as the change; Stripe delivers at least once):
 * - amount_capturable_updated: a card that needed the customer's extra step is now authorized:
 *   payment:created is staged and orders decides, as for an immediate authorization;
 * - payment_failed: that step failed; the order may be paid again;
 * - canceled / succeeded: the intent was voided or captured (normally by us; recorded if our own
 *   record of it was lost).
 * An event about an intent we have not recorded yet (the request that created it is still
 * running) is answered 503 so that Stripe sends it again.
 */
export async function applyStripeEvent(db: PaymentsDb, event: Stripe.Event): Promise<WebhookOutcome> {
  if (!event.type.startsWith('payment_intent.')) return 'ignored';
  const intent = event.data.object as Stripe.PaymentIntent;
  return db.transaction(async (tx) => {
    const [first] = await tx.insert(stripeEvents).values({ id: event.id, type: event.type }).onConflictDoNothing().returning();
    if (!first) return 'duplicate';
    const [known] = await tx.select({ orderId: payments.orderId }).from(payments).where(eq(payments.stripeId, intent.id));
    if (!known) {
      const orderId = intent.metadata?.['orderId'];
      const [ours] = isUuid(orderId) ? await tx.select({ id: ordersReplica.id }).from(ordersReplica).where(eq(ordersReplica.id, orderId)) : [];
      if (ours) throw new ServiceUnavailableError('This payment is still being recorded; please retry');
      return 'ignored'; // another integration's intent on the same account
    }
    // Locked in the same order as recording an authorization does: the order first.
    const [order] = await tx.select().from(ordersReplica).where(eq(ordersReplica.id, known.orderId)).for('update');
    // The payment's row too: the settler records a capture or void without the order's lock
    // (settle-payment.ts), and in READ COMMITTED such a change committed between this read and
    // the update below was overwritten (a voided payment turned back into an authorization).
    const [payment] = await tx.select().from(payments).where(eq(payments.stripeId, intent.id)).for('update');
    if (!order || !payment) return 'ignored';
    const now = new Date();
    switch (event.type) {
      case 'payment_intent.amount_capturable_updated': {
        if (payment.status !== 'requires_action') return 'handled';
        const [authorized] = await tx
          .update(payments)
          .set({ status: 'authorized', authorizedAt: now, clientSecret: null })
          .where(eq(payments.id, payment.id))
          .returning();
        if (order.status === 'cancelled') await notifySettlers(tx, order.id);
        else await stageAuthorized(tx, authorized!);
        return 'handled';
      }
      case 'payment_intent.payment_failed':
        if (payment.status === 'requires_action') await tx.update(payments).set({ status: 'failed', settledAt: now, clientSecret: null }).where(eq(payments.id, payment.id));
        return 'handled';
      case 'payment_intent.canceled':
        if (payment.status === 'requires_action' || payment.status === 'authorized') {
          await tx.update(payments).set({ status: 'voided', settledAt: now, settlingUntil: null, clientSecret: null }).where(eq(payments.id, payment.id));
        }
        return 'handled';
      case 'payment_intent.succeeded':
        if (payment.status === 'authorized') await tx.update(payments).set({ status: 'captured', settledAt: now, settlingUntil: null }).where(eq(payments.id, payment.id));
        return 'handled';
      default:
        return 'ignored';
    }
  });
}
