import { sqlStatement, type DbExecutor, type Logger } from '@microtick/common';
import { and, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { PaymentsDb } from '../db/schema';
import { ordersReplica, payments, type OrderReplica, type Payment } from '../db/schema';
import { captureAuthorization, voidAuthorization, type Settlement } from './stripe-requests';

/** The NOTIFY channel the order listeners signal on when an order's fate is decided. */
export const SETTLE_CHANNEL = 'microtick_payments_settle';

const notifySettle = sqlStatement<[channel: string, orderId: string]>('payments_notify_settlers', 'select pg_notify($1, $2)');
// The statuses `decisionFor` acts on (`undecided` below); the order id twice, as text and as uuid.
const notifySettleIfHeld = sqlStatement<[channel: string, orderId: string, orderUuid: string]>(
  'payments_notify_settlers_if_held',
  `select pg_notify($1, $2) where exists (select 1 from payments where order_id = $3 and status in ('authorized', 'requires_action'))`,
);

// `notifySettleIfHeld` sent together with the cancellation's replica UPDATE (cancelOrderReplica):
// it wakes them only when the replica now stands at that cancellation; the order id as text, as uuid, and the version.
const notifySettleIfCancelledAndHeld = sqlStatement<[channel: string, orderId: string, orderUuid: string, version: number]>(
  'payments_notify_settlers_if_cancelled_and_held',
  `select pg_notify($1, $2)
   where exists (select 1 from orders_replica where id = $3 and version = $4 and status = 'cancelled')
     and exists (select 1 from payments where order_id = $3 and status in ('authorized', 'requires_action'))`,
);

/** How long one settler may take to capture or void a payment before another takes it over. */
const SETTLE_LEASE_MS = 60_000;

export interface SettleDeps {
  db: PaymentsDb;
  stripe: Stripe;
  logger: Logger;
}

/** Wakes the settlers (this and other replicas) once the caller's transaction commits. */
export async function notifySettlers(tx: DbExecutor, orderId: string): Promise<void> {
  await notifySettle.execute(tx, [SETTLE_CHANNEL, orderId]);
}

/**
 * `notifySettlers` for a cancellation: only when the order has a payment that holds, or may still
 * get, a hold on a card. Most cancelled orders (expired, never paid) have none, and then the
 * settlers are not woken for a pass that finds nothing. Call after the replica change, in a
 * statement of its own: the change waited for the order row's lock if an authorization was being
 * recorded, and only a statement started after that wait sees the payment it committed. (An
 * authorization recorded after this commits finds the order cancelled and voids it itself.)
 */
export async function notifySettlersIfHeld(tx: DbExecutor, orderId: string): Promise<void> {
  await notifySettleIfHeld.execute(tx, [SETTLE_CHANNEL, orderId, orderId]);
}

/**
 * `notifySettlersIfHeld` sent right behind the statement that records the cancellation (version
 * `version`), without waiting for its answer: it still runs after that statement, and after its
 * wait for the order row, so it sees an authorization committed during that wait. It wakes them
 * only when the replica then holds this cancellation; for a duplicate of a cancellation applied
 * before, it may wake them once more for nothing (their pass is idempotent).
 */
export function notifySettlersIfCancelledAndHeld(tx: DbExecutor, order: { id: string; version: number }): Promise<unknown> {
  return notifySettleIfCancelledAndHeld.execute(tx, [SETTLE_CHANNEL, order.id, order.id, order.version]);
}

/**
 * What orders' decision asks of a payment: capture the authorization it completed the order with;
 * void every other one of a decided order (an authorization on a cancelled order, a customer step
 * still pending on a decided order). Undefined while the order is undecided.
 */
export function decisionFor(payment: Pick<Payment, 'id' | 'status'>, order: Pick<OrderReplica, 'status' | 'completedByPaymentId'>): 'capture' | 'void' | undefined {
  if (payment.status !== 'authorized' && payment.status !== 'requires_action') return undefined;
  if (order.status === 'complete') return payment.status === 'authorized' && order.completedByPaymentId === payment.id ? 'capture' : 'void';
  if (order.status === 'cancelled') return 'void';
  return undefined;
}

const undecided = and(
  inArray(payments.status, ['authorized', 'requires_action']),
  inArray(ordersReplica.status, ['complete', 'cancelled']),
  or(isNull(payments.settlingUntil), lte(payments.settlingUntil, sql`now()`)),
);

/** Payments whose order is decided and that still hold, or may still get, a hold on a card. */
export async function findUnsettled(db: PaymentsDb, limit = 50): Promise<string[]> {
  const rows = await db.select({ id: payments.id }).from(payments).innerJoin(ordersReplica, eq(ordersReplica.id, payments.orderId)).where(undecided).limit(limit);
  return rows.map((row) => row.id);
}

/**
 * Carries out orders' decision for one payment: claims it with a lease (committed, so no
 * transaction stays open during the Stripe call), captures or voids it under an idempotency key,
 * then records the result. Returns what happened, or undefined when there was nothing to do
 * (undecided, settled already, or another settler holds it). A crash mid-way leaves the lease to
 * lapse and the next pass repeats the call, which Stripe answers the same way.
 */
export async function settlePayment(deps: SettleDeps, paymentId: string): Promise<Settlement | undefined> {
  const claimed = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ payment: payments, order: ordersReplica })
      .from(payments)
      .innerJoin(ordersReplica, eq(ordersReplica.id, payments.orderId))
      .where(and(eq(payments.id, paymentId), undecided))
      .for('update', { of: payments });
    if (!row) return undefined;
    const decision = decisionFor(row.payment, row.order);
    if (!decision) return undefined;
    await tx.update(payments).set({ settlingUntil: new Date(Date.now() + SETTLE_LEASE_MS) }).where(eq(payments.id, paymentId));
    return { ...row, decision };
  });
  if (!claimed) return undefined;
  const { payment, order, decision } = claimed;
  let outcome: Settlement;
  try {
    outcome = decision === 'capture' ? await captureAuthorization(deps.stripe, payment.stripeId) : await voidAuthorization(deps.stripe, payment.stripeId);
  } catch (err) {
    // Give the lease back so that the next pass retries at once rather than after it lapses.
    await deps.db.update(payments).set({ settlingUntil: null }).where(eq(payments.id, paymentId)).catch(() => undefined);
    throw err;
  }
  if (outcome !== (decision === 'capture' ? 'captured' : 'voided')) {
    // Stripe's state disagrees with orders' decision (the intent was cancelled or captured
    // outside MicroTick): record the truth and make it loud; nobody is charged twice either way.
    deps.logger.error({ paymentId, orderId: order.id, decision, outcome }, 'payment could not follow the order decision');
  }
  await deps.db
    .update(payments)
    .set({ status: outcome, settledAt: new Date(), settlingUntil: null })
    .where(and(eq(payments.id, paymentId), inArray(payments.status, ['authorized', 'requires_action'])));
  deps.logger.info({ paymentId, orderId: order.id, outcome }, `payment ${outcome}`);
  return outcome;
}
