import { addToOutbox } from '@microtick/common';
import { eq } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { PaymentsDb } from '../db/database';
import { orders, payments, type Order, type Payment, type PaymentAttempt } from '../db/schema';
import { isPastPaymentDeadline } from './deadline';
import { finishAttempt, releaseAttempt } from './payment-attempts';
import { chargeCard, refundPayment } from './stripe-requests';

export interface PaymentDeps {
  db: PaymentsDb;
  stripe: Stripe;
  /** How long an attempt may talk to Stripe before another request may take it over. */
  attemptLeaseMs: number;
}

export type PaymentOutcome =
  | { kind: 'paid'; payment: Payment }
  | { kind: 'declined'; message: string }
  | { kind: 'rejected'; message: string; field?: 'token' }
  /** Charged, but the order had been cancelled meanwhile, so the money went back. */
  | { kind: 'refunded' }
  | { kind: 'already-paid' };

/**
 * Charges the attempt's card (the same key every time, so settling an attempt again replays
 * Stripe's answer) and records the result. On an unknown outcome the lease is given up and the
 * error rethrown, so that the next request or the sweeper settles the attempt.
 */
export async function settleAttempt(deps: PaymentDeps, attempt: PaymentAttempt, order: Order): Promise<PaymentOutcome> {
  try {
    const charge = await chargeCard(deps.stripe, order, attempt.paymentMethod);
    if (charge.kind === 'charged') return await recordCharge(deps, attempt, charge.paymentIntentId);
    await finishAttempt(deps.db, attempt.id, { status: charge.kind, failure: charge.message });
    return charge;
  } catch (err) {
    await releaseAttempt(deps.db, attempt.id).catch(() => undefined); // if even this fails, the lease runs out
    throw err;
  }
}

/**
 * Stores a successful charge and stages payment:created in one transaction, with the order row
 * locked so that an order:cancelled arriving meanwhile is seen either here (then the charge is
 * refunded at once) or by its listener after this commits (which then refunds the payment). A
 * charge that completes after the payment deadline is refunded too: see deadline.ts.
 */
function recordCharge(deps: PaymentDeps, attempt: PaymentAttempt, paymentIntentId: string): Promise<PaymentOutcome> {
  const { stripe } = deps;
  return deps.db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, attempt.orderId)).for('update');
    // Cancelled meanwhile, or the charge took us past the deadline (expiration will cancel it).
    if (!order || order.status === 'cancelled' || isPastPaymentDeadline(order)) {
      await refundPayment(stripe, attempt.orderId, paymentIntentId);
      await finishAttempt(tx, attempt.id, { status: 'refunded', stripeId: paymentIntentId });
      return { kind: 'refunded' };
    }

    const [payment] = await tx
      .insert(payments)
      .values({ orderId: order.id, stripeId: paymentIntentId, amountCents: order.priceCents })
      .onConflictDoNothing({ target: payments.orderId })
      .returning();
    if (payment) {
      await addToOutbox(tx, 'payment:created', { id: payment.id, orderId: order.id, stripeId: paymentIntentId });
      await finishAttempt(tx, attempt.id, { status: 'succeeded', stripeId: paymentIntentId });
      return { kind: 'paid', payment };
    }

    // The order is already recorded as paid: by this very charge (an interrupted attempt settled
    // twice) or, should the guards before charging ever fail, by another one, which must not keep the money.
    const [recorded] = await tx.select().from(payments).where(eq(payments.orderId, order.id));
    if (recorded!.stripeId === paymentIntentId) {
      await finishAttempt(tx, attempt.id, { status: 'succeeded', stripeId: paymentIntentId });
      return { kind: 'paid', payment: recorded! };
    }
    await refundPayment(stripe, order.id, paymentIntentId);
    await finishAttempt(tx, attempt.id, { status: 'refunded', stripeId: paymentIntentId });
    return { kind: 'already-paid' };
  });
}
