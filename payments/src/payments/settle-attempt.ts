import { addToOutbox, fromCents, type DbExecutor, type Logger } from '@microtick/common';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { PaymentsDb } from '../db/schema';
import { ordersReplica, payments, type OrderReplica, type Payment, type PaymentAttempt } from '../db/schema';
import { finishAttempt, LIVE_PAYMENT_STATUSES, releaseAttempt } from './payment-attempts';
import { settlePayment } from './settle-payment';
import { authorizeCard, voidAuthorization } from './stripe-requests';

export interface PaymentDeps {
  db: PaymentsDb;
  stripe: Stripe;
  /** How long an attempt may talk to Stripe before another request may take it over. */
  attemptLeaseMs: number;
  logger: Logger;
}

export type PaymentOutcome =
  | { kind: 'authorized'; payment: Payment }
  | { kind: 'requires_action'; payment: Payment }
  | { kind: 'declined'; message: string }
  | { kind: 'rejected'; message: string; field?: 'token' }
  /** Authorized, but orders had cancelled the order meanwhile: the authorization is voided. */
  | { kind: 'order-cancelled' }
  /** Another authorization for the order was recorded first (only if the guards failed): this one is voided. */
  | { kind: 'already-authorized' };

/**
 * Authorizes the attempt's card (the same key every time, so settling an attempt again replays
 * Stripe's answer) and records the result. On an unknown outcome the lease is given up and the
 * error rethrown, so that the next request or the sweeper settles the attempt.
 */
export async function settleAttempt(deps: PaymentDeps, attempt: PaymentAttempt, order: OrderReplica): Promise<PaymentOutcome> {
  try {
    const result = await authorizeCard(deps.stripe, order, attempt.paymentMethod);
    if (result.kind === 'authorized' || result.kind === 'requires_action') return await recordAuthorization(deps, attempt, result.kind, result.intent);
    await finishAttempt(deps.db, attempt.id, { status: result.kind, failure: result.message });
    return result;
  } catch (err) {
    await releaseAttempt(deps.db, attempt.id).catch(() => undefined); // if even this fails, the lease runs out
    throw err;
  }
}

type Recorded = { kind: 'recorded'; payment: Payment; orderStatus: OrderReplica['status'] } | { kind: 'stray'; intentId: string };

/**
 * Stores the authorization and, when it holds the money, stages payment:created in the same
 * transaction, with the order row locked so that an order:cancelled arriving meanwhile is seen
 * either here or by its listener after this commits. Either way the settler voids an
 * authorization on a cancelled order: no Stripe call is made while the transaction is open.
 */
async function recordAuthorization(deps: PaymentDeps, attempt: PaymentAttempt, status: 'authorized' | 'requires_action', intent: Stripe.PaymentIntent): Promise<PaymentOutcome> {
  const recorded = await deps.db.transaction(async (tx): Promise<Recorded> => {
    const [order] = await tx.select().from(ordersReplica).where(eq(ordersReplica.id, attempt.orderId)).for('update');
    if (!order) throw new Error(`order ${attempt.orderId} of attempt ${attempt.id} vanished`);
    // An interrupted attempt settled twice finds its own row.
    const [mine] = await tx.select().from(payments).where(eq(payments.stripeId, intent.id));
    if (mine) {
      await finishAttempt(tx, attempt.id, { status: 'succeeded', stripeId: intent.id });
      return { kind: 'recorded', payment: mine, orderStatus: order.status };
    }
    const [other] = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.orderId, order.id), inArray(payments.status, [...LIVE_PAYMENT_STATUSES]), ne(payments.stripeId, intent.id)));
    if (other) return { kind: 'stray', intentId: intent.id };

    const authorizedAt = status === 'authorized' ? new Date() : null;
    const [payment] = await tx
      .insert(payments)
      .values({
        orderId: order.id,
        stripeId: intent.id,
        amountCents: intent.amount,
        status,
        clientSecret: status === 'requires_action' ? intent.client_secret : null,
        authorizedAt,
      })
      .returning();
    if (authorizedAt && order.status !== 'cancelled') await stageAuthorized(tx, payment!);
    await finishAttempt(tx, attempt.id, { status: 'succeeded', stripeId: intent.id });
    return { kind: 'recorded', payment: payment!, orderStatus: order.status };
  });

  if (recorded.kind === 'stray') {
    // Only reachable if the guards before authorizing failed: never keep a second hold.
    await voidAuthorization(deps.stripe, recorded.intentId);
    await finishAttempt(deps.db, attempt.id, { status: 'rejected', failure: 'another authorization exists for this order', stripeId: recorded.intentId });
    return { kind: 'already-authorized' };
  }
  const { payment, orderStatus } = recorded;
  if (orderStatus === 'cancelled') {
    // Orders has decided already; release the hold now rather than at the settler's next pass.
    await settlePayment(deps, payment.id).catch((err: unknown) => deps.logger.warn({ err, paymentId: payment.id }, 'void deferred to the settler'));
    return { kind: 'order-cancelled' };
  }
  if (payment.status === 'voided') return { kind: 'order-cancelled' };
  if (payment.status === 'requires_action') return { kind: 'requires_action', payment };
  return { kind: 'authorized', payment };
}

/** payment:created = "authorized": orders decides whether the order completes. */
export async function stageAuthorized(tx: DbExecutor, payment: Payment): Promise<void> {
  await addToOutbox(tx, 'payment:created', {
    id: payment.id,
    orderId: payment.orderId,
    stripeId: payment.stripeId,
    amount: fromCents(payment.amountCents),
    authorizedAt: (payment.authorizedAt ?? new Date()).toISOString(),
  });
}
