import { and, eq, inArray, sql } from 'drizzle-orm';
import { addToOutbox, answersInOrder, fromCents, orderStatus, preparedStatement, type DbExecutor, type OrderStatus, type Params } from '@microtick/common';
import { orders, type OrderRow } from '../db/schema';
import { endWaitlistOnSale, offerOnLockedWaitlist } from '../waitlist/offers';
import { lockWaitlist, lockWaitlistOfOrder, lockWaitlistsOfOrders, type WaitlistRow } from '../waitlist/waitlist-lock';

/** Statuses an order can still leave: it is reserved but not paid. */
const UNPAID: readonly OrderStatus[] = ['created', 'awaiting:payment'];

const isUnpaid = (status: OrderStatus): boolean => UNPAID.includes(status);

// An expiry's cancellation, built once (the statement of every expiry in a burst).
const cancelUnpaidOrder = preparedStatement('orders_cancel_unpaid_by_id', (db, p: Params<{ id: string }>) =>
  db
    .update(orders)
    .set({ status: 'cancelled', version: sql`${orders.version} + 1` })
    .where(and(eq(orders.id, p('id')), inArray(orders.status, [...UNPAID])))
    .returning(),
);

// A burst of expiries' cancellation in one statement: every order of the batch still unpaid.
// `id = any(…)` is scanned through the primary key in id order, so two batches (or a batch and
// a single decision) lock the rows they share in the same order.
const cancelUnpaidOrders = preparedStatement('orders_cancel_unpaid_by_ids', (db, p: Params<{ ids: string[] }>) =>
  db
    .update(orders)
    .set({ status: 'cancelled', version: sql`${orders.version} + 1` })
    .where(and(sql`${orders.id} = any(${p('ids')}::uuid[])`, inArray(orders.status, [...UNPAID])))
    .returning(),
);

const ordersByIds = preparedStatement('orders_by_ids', (db, p: Params<{ ids: string[] }>) =>
  db.select().from(orders).where(sql`${orders.id} = any(${p('ids')}::uuid[])`),
);

export async function findOrder(tx: DbExecutor, orderId: string): Promise<OrderRow | undefined> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId));
  return order;
}

/**
 * Moves `order` to the status `decide` picks (undefined: leave it), with optimistic concurrency:
 * `UPDATE … WHERE id AND version`, bumping the version. If another writer changed the order
 * since it was read, it is read again and decided anew. Statuses only move forward
 * (created → awaiting:payment → complete | cancelled), so this settles within a few rounds.
 */
async function transition(tx: DbExecutor, order: OrderRow, decide: (current: OrderRow) => OrderStatus | undefined): Promise<{ order: OrderRow; changed: boolean }> {
  let current = order;
  for (let round = 0; round < orderStatus.options.length; round++) {
    const status = decide(current);
    if (!status) return { order: current, changed: false };
    const [updated] = await tx
      .update(orders)
      .set({ status, version: current.version + 1 })
      .where(and(eq(orders.id, current.id), eq(orders.version, current.version)))
      .returning();
    if (updated) return { order: updated, changed: true };
    const reread = await findOrder(tx, current.id);
    if (!reread) throw new Error(`order ${current.id} vanished`);
    current = reread;
  }
  throw new Error(`order ${order.id} kept changing under a status transition`);
}

/**
 * Cancels an unpaid order (by its buyer or because its payment window passed) and stages
 * `order:cancelled` with the new version in the same transaction. A complete or already
 * cancelled order is left as it is and nothing is published; the caller gets the order as it
 * stands and whether this call cancelled it.
 */
export async function cancelOrder(tx: DbExecutor, order: OrderRow): Promise<{ order: OrderRow; changed: boolean }> {
  const result = await transition(tx, order, (current) => (isUnpaid(current.status) ? 'cancelled' : undefined));
  if (result.changed) await announceCancellation(tx, result.order, await lockWaitlist(tx, result.order.ticketId));
  return result;
}

/**
 * `cancelOrder` for a caller that knows only the order's id (its expiration): one conditional
 * UPDATE instead of a read and then the UPDATE, the common case of a burst of expiries. The
 * row lock the UPDATE takes orders it against a concurrent payment decision exactly as
 * `transition`'s version check does: whichever commits first, the other finds the order
 * decided. Undefined when there is no such order (yet: see `leftAlone`).
 */
export async function cancelOrderById(tx: DbExecutor, orderId: string): Promise<{ order: OrderRow; changed: boolean } | undefined> {
  return settleCancelById(tx, orderId, await sendCancelById(tx, orderId));
}

/** What the cancel and the waiting-list lock of `sendCancelById` answered: the cancelled order (if it was unpaid), the ticket's locked list. */
export type CancelAnswers = [cancelled: OrderRow | undefined, waitlist: WaitlistRow | undefined];

/**
 * The first half of `cancelOrderById`: its cancel and its waiting-list lock are sent now, without
 * waiting for each other (one round trip for both, and one write with whatever else is being
 * sent), and are answered together. The lock still runs after the cancel (the lock order order
 * row → waiting list, docs/waitlist.md). An order left as it was (paid, already cancelled) has
 * its ticket's list locked for nothing until the transaction ends. Nothing is staged until
 * `settleCancelById` is given the answers, so a caller may still decide not to go on and roll
 * the cancel back with its transaction (or savepoint).
 */
export function sendCancelById(tx: DbExecutor, orderId: string): Promise<CancelAnswers> {
  return answersInOrder<CancelAnswers>([cancelUnpaidOrder.execute(tx, { id: orderId }).then(([cancelled]) => cancelled), lockWaitlistOfOrder(tx, orderId)]);
}

/** The second half of `cancelOrderById`: `order:cancelled` and the offer to the first in line when the cancel changed the order. */
export async function settleCancelById(tx: DbExecutor, orderId: string, [cancelled, waitlist]: CancelAnswers): Promise<{ order: OrderRow; changed: boolean } | undefined> {
  if (cancelled) {
    await announceCancellation(tx, cancelled, waitlist);
    return { order: cancelled, changed: true };
  }
  return leftAlone(tx, orderId);
}

/** What the cancel and the waiting-list locks of `sendCancelAllById` answered: the orders it cancelled, the locked lists of their tickets. */
export type CancelAllAnswers = [cancelled: OrderRow[], waitlists: WaitlistRow[]];

/**
 * `sendCancelById` for several orders (a batch of expiries): one conditional UPDATE for all of
 * them and one statement locking their tickets' waiting lists (ticket order), sent together and
 * answered together; the locks run after the cancel (order rows → waiting lists). Nothing is
 * staged until `settleCancelAllById`, so the caller may still roll the cancels back.
 */
export function sendCancelAllById(tx: DbExecutor, orderIds: readonly string[]): Promise<CancelAllAnswers> {
  const ids = [...orderIds];
  return answersInOrder<CancelAllAnswers>([cancelUnpaidOrders.execute(tx, { ids }), lockWaitlistsOfOrders(tx, ids)]);
}

/**
 * The second half of `sendCancelAllById`: `order:cancelled` (and the offer to the first in line)
 * for each order the cancel changed, in the order of `orderIds`. Returns the ids of the orders it
 * could not decide about: not there yet, or still unpaid after the cancel missed them (committed
 * in between, see `leftAlone`); the caller retries those, as `settleCancelById` would.
 */
export async function settleCancelAllById(tx: DbExecutor, orderIds: readonly string[], [cancelled, waitlists]: CancelAllAnswers): Promise<{ cancelled: OrderRow[]; undecided: string[] }> {
  const byId = new Map(cancelled.map((order) => [order.id, order]));
  const waitlistOf = new Map(waitlists.map((waitlist) => [waitlist.ticketId, waitlist]));
  const announced: OrderRow[] = [];
  for (const orderId of new Set(orderIds)) {
    const order = byId.get(orderId);
    if (!order) continue;
    await announceCancellation(tx, order, waitlistOf.get(order.ticketId));
    announced.push(order);
  }
  const missed = [...new Set(orderIds)].filter((orderId) => !byId.has(orderId));
  if (missed.length === 0) return { cancelled: announced, undecided: [] };
  const found = new Map((await ordersByIds.execute(tx, { ids: missed })).map((order) => [order.id, order]));
  const undecided = missed.filter((orderId) => {
    const order = found.get(orderId);
    return !order || isUnpaid(order.status);
  });
  return { cancelled: announced, undecided };
}

/**
 * The order a conditional UPDATE by id matched nothing of: decided already, or undefined when
 * there is no such order yet. The read is a statement of its own, so in READ COMMITTED it sees
 * rows committed after the UPDATE looked: an order it finds still unpaid was inserted in between,
 * and was not decided — to the caller it was not there yet (its event is retried). Reporting it as
 * "left alone" acknowledged a payment without completing the order, and the expiry after it then
 * cancelled the paid order (the fairness "hole" of wave 7, docs/benchmarks-history.md).
 */
async function leftAlone(tx: DbExecutor, orderId: string): Promise<{ order: OrderRow; changed: false } | undefined> {
  const order = await findOrder(tx, orderId);
  return order && !isUnpaid(order.status) ? { order, changed: false } : undefined;
}

/**
 * What follows a cancellation in its transaction, once the caller has locked the ticket's
 * waiting list (after the order row: docs/waitlist.md; undefined: the ticket has none):
 * `order:cancelled`, and the first in line gets the ticket in this same transaction.
 */
async function announceCancellation(tx: DbExecutor, order: OrderRow, waitlist: WaitlistRow | undefined): Promise<void> {
  await addToOutbox(tx, 'order:cancelled', { id: order.id, version: order.version, ticket: { id: order.ticketId } });
  await offerOnLockedWaitlist(tx, waitlist);
}

// A payment's decision, built once: the order completes only while it is unpaid.
const completeUnpaidOrder = preparedStatement('orders_complete_unpaid_by_id', (db, p: Params<{ id: string }>) =>
  db
    .update(orders)
    .set({ status: 'complete', version: sql`${orders.version} + 1` })
    .where(and(eq(orders.id, p('id')), inArray(orders.status, [...UNPAID])))
    .returning(),
);

/**
 * The one decision about an authorized payment (SPEC §6): if the order is still unpaid it becomes
 * `complete` and `order:completed` (the new version, naming the accepted authorization) is staged
 * in the same transaction, so payments captures exactly that authorization. A cancelled order
 * stays cancelled (payments voids every authorization it holds for it on `order:cancelled`); a
 * complete one is already decided, and nothing is published again. Undefined when there is no
 * such order (yet: see `leftAlone`).
 *
 * One conditional UPDATE, like `cancelOrderById`: its row lock orders it against a concurrent
 * cancellation (whichever commits first, the other finds the order decided). The ticket's
 * waiting-list lock leaves with it and runs after it (order row → waiting list).
 */
export async function completeOrderById(tx: DbExecutor, orderId: string, payment: { id: string }): Promise<{ order: OrderRow; changed: boolean } | undefined> {
  const [[completed], waitlist] = await answersInOrder([completeUnpaidOrder.execute(tx, { id: orderId }), lockWaitlistOfOrder(tx, orderId)]);
  if (!completed) return leftAlone(tx, orderId);
  await addToOutbox(tx, 'order:completed', {
    id: completed.id,
    version: completed.version,
    userId: completed.userId,
    paymentId: payment.id,
    ticket: { id: completed.ticketId, price: fromCents(completed.priceCents) },
  });
  // Sold: everyone on the ticket's waiting list is done (docs/waitlist.md).
  await endWaitlistOnSale(tx, waitlist);
  return { order: completed, changed: true };
}
