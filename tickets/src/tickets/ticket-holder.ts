import { preparedStatement, type DbExecutor, type OrderStatus, type Params } from '@microtick/common';
import { and, eq, getTableColumns, isNull, sql, type SQL, type Subquery } from 'drizzle-orm';
import { ordersReplica, tickets, type Ticket } from '../db/schema';
import { changeTicket, stageTicketUpdated } from './change-ticket';

/**
 * "Not yet" retries back off to one every 2 s, so this many deliveries let an order event wait
 * about two minutes for the other order consumer (restarting, or catching up on a backlog)
 * before it is parked as a dead letter. common's default of 10 gives up after about 9 s.
 */
export const ORDER_EVENT_MAX_DELIVER = 60;

/**
 * How long an order event waits for others to share its transaction (BEGIN, the claims and
 * COMMIT, one round trip each instead of each event's own): every purchase sends one
 * order:created, every expiry one order:cancelled. The ticket is held (or released) at most
 * this much later; no answer to a buyer waits for it (orders decides the reservation).
 */
export const ORDER_EVENT_WINDOW_MS = 10;

/**
 * order:created's window is longer: a purchase's hold only stops the seller editing the ticket
 * (orders alone decides the reservation, before the event is published), and at the 100–300
 * purchases a second of a busy sale 10 ms gathered one or two events, which cost a transaction
 * each. order:cancelled keeps the short one: a release puts the ticket back on sale.
 */
export const ORDER_CREATED_WINDOW_MS = 50;

/**
 * The ticket an order event is about, row-locked until the handler commits (a CTE of the two
 * statements below). Taking the ticket lock first serialises all order events about one ticket,
 * so the orders replica statements that follow (versionedReplica) already see any of them that
 * committed before.
 */
const lockedTicket = (db: DbExecutor, ticketId: unknown) =>
  db.$with('locked').as(db.select().from(tickets).where(eq(tickets.id, sql`${ticketId}`)).for('update'));

/**
 * The ticket's new holder (an order's id, or null to release it), set in the statement that locks
 * the ticket and applies the order event to the replica, and only when that change was made
 * (`decided` has a row): one statement instead of two on the usual path. The UPDATE looks with
 * the statement's snapshot, taken before the lock wait, and changes the ticket only when the row
 * it finds is still as the lock returned it (same version, held by `expectedHolder`): had
 * another transaction changed the ticket during that wait, it changes nothing, and the caller
 * sets the holder with `changeTicket`, after the lock, as before the merge. The row lock is
 * already this transaction's, so the UPDATE never waits.
 */
function holding(
  db: DbExecutor,
  p: Params<{ ticketId: string }>,
  locked: ReturnType<typeof lockedTicket>,
  decided: Subquery,
  holder: SQL,
  expectedHolder: SQL,
) {
  return db.$with('held').as(
    db
      .update(tickets)
      .set({ orderId: holder, version: sql`${tickets.version} + 1` })
      .from(decided)
      .where(and(eq(tickets.id, p('ticketId')), expectedHolder, eq(tickets.version, sql`(select ${locked.version} from ${locked})`)))
      .returning(getTableColumns(tickets)),
  );
}

/**
 * The ticket's lock and the usual replica change of a later order event (version N on top of N-1) in
 * one statement; with `release`, also the ticket's release when this order holds it (`held`).
 * The ticket's lock still decides what the handler does: FOR UPDATE returns the row as the
 * transaction that held it left it (READ COMMITTED re-reads a locked row after the wait). The
 * replica UPDATE, though, looks with the statement's snapshot, taken before that wait: it may
 * miss a replica row an order event holding the ticket has just committed; then it changes
 * nothing and the caller applies the event through versionedReplica, whose statements come after
 * the lock and see that row. Either way the replica row's own lock orders two deliveries of one
 * event.
 */
const settingOrderStatus = (name: string, release: boolean) =>
  preparedStatement(name, (db, p: Params<{ ticketId: string; orderId: string; status: OrderStatus; version: number; previous: number }>) => {
    const locked = lockedTicket(db, p('ticketId'));
    const applied = db.$with('applied').as(
      db
        .update(ordersReplica)
        .set({ status: p('status') as unknown as OrderStatus, version: p('version') as unknown as number })
        .where(and(eq(ordersReplica.id, p('orderId')), eq(ordersReplica.version, p('previous'))))
        .returning({ id: ordersReplica.id }),
    );
    const changes = db.with(locked, applied);
    const fields = { ticket: locked._.selectedFields, applied: sql<boolean>`${applied.id} is not null` };
    if (!release) return changes.select({ ...fields, held: sql<null>`null` }).from(locked).leftJoin(applied, sql`true`);
    const held = holding(db, p, locked, applied, sql`null`, eq(tickets.orderId, p('orderId')));
    return db
      .with(locked, applied, held)
      .select({ ...fields, held: held._.selectedFields })
      .from(locked)
      .leftJoin(applied, sql`true`)
      .leftJoin(held, sql`true`);
  });

const lockTicketSettingOrderStatus = settingOrderStatus('tickets_lock_setting_order_status', false);
const lockTicketCancellingOrder = settingOrderStatus('tickets_lock_cancelling_order', true);

/**
 * The ticket's lock, an order's creation (replica version 0) and the ticket's hold by that order
 * in one statement, inserted and held only when the locked ticket is free: the insert reads the
 * locked row, so it waits for the lock and sees the ticket as the previous holder's transaction
 * left it. Held, or already known: nothing is inserted, and the caller decides through
 * versionedReplica as before.
 */
const lockTicketCreatingOrder = preparedStatement('tickets_lock_creating_order', (db, p: Params<{ ticketId: string; orderId: string; status: OrderStatus }>) => {
  const locked = lockedTicket(db, p('ticketId'));
  const inserted = db.$with('inserted').as(
    db
      .insert(ordersReplica)
      .select(
        db
          .select({ id: sql`${p('orderId')}::uuid`.as('id'), ticketId: locked.id, status: sql`${p('status')}`.as('status'), version: sql`0`.as('version') })
          .from(locked)
          .where(isNull(locked.orderId)),
      )
      .onConflictDoNothing()
      .returning({ id: ordersReplica.id }),
  );
  const held = holding(db, p, locked, inserted, sql`${inserted.id}`, isNull(tickets.orderId));
  return db
    .with(locked, inserted, held)
    .select({ ticket: locked._.selectedFields, applied: sql<boolean>`${inserted.id} is not null`, held: held._.selectedFields })
    .from(locked)
    .leftJoin(inserted, sql`true`)
    .leftJoin(held, sql`true`);
});

/** The locked ticket; whether the order event was applied to the replica; the ticket as changed with it, if it was. */
export interface LockedTicket {
  ticket: Ticket;
  applied: boolean;
  /** The ticket as the locking statement changed it (new holder, next version); null when it did not. */
  held: Ticket | null;
}

/**
 * Locks the ticket of an order event that moves the order to `status` (cancelled, complete):
 * when the event is the replica's next version (the usual case) it is applied in the locking
 * statement, `applied: true`; otherwise (`false`) the caller applies it with versionedReplica.
 * A cancellation also releases the ticket there when its order holds it (`held`).
 */
export async function lockTicketChangingOrder(
  tx: DbExecutor,
  order: { id: string; version: number; ticket: { id: string } },
  status: Exclude<OrderStatus, 'created'>,
): Promise<LockedTicket> {
  const statement = status === 'cancelled' ? lockTicketCancellingOrder : lockTicketSettingOrderStatus;
  const [row] = await statement.execute(tx, { ticketId: order.ticket.id, orderId: order.id, status, version: order.version, previous: order.version - 1 });
  return lockedOrFail(row, order);
}

/**
 * Locks the ticket of an order's creation: the replica row is inserted and the ticket held by
 * the order in the locking statement when the ticket is free and the order new (`applied: true`,
 * `held` the changed ticket); otherwise the caller decides with versionedReplica (a held
 * ticket, a duplicate delivery).
 */
export async function lockTicketCreatingOrderIfFree(tx: DbExecutor, order: { id: string; status: OrderStatus; ticket: { id: string } }): Promise<LockedTicket> {
  const [row] = await lockTicketCreatingOrder.execute(tx, { ticketId: order.ticket.id, orderId: order.id, status: order.status });
  return lockedOrFail(row, order);
}

function lockedOrFail(row: LockedTicket | undefined, order: { id: string; ticket: { id: string } }): LockedTicket {
  // Orders only learns of tickets from our ticket:created, committed here before it was
  // published: a missing ticket is a bug or a foreign event, so fail (and dead-letter), not wait.
  // (The replica change of that statement, if any, rolls back with the handler.)
  if (!row) throw new Error(`ticket ${order.ticket.id} of order ${order.id} does not exist`);
  return row;
}

/**
 * Makes `orderId` the holder of a ticket locked by `lockTicketChangingOrder` /
 * `lockTicketCreatingOrderIfFree` (null releases it), staging ticket:updated: the locking
 * statement already changed the ticket when it could (`held`); otherwise it is changed now.
 */
export async function setTicketHolder(tx: DbExecutor, locked: LockedTicket, orderId: string | null): Promise<void> {
  if (locked.held) {
    if (locked.held.orderId !== orderId) throw new Error(`ticket ${locked.ticket.id} was held for order ${locked.held.orderId}, not ${orderId}`);
    await stageTicketUpdated(tx, locked.held);
    return;
  }
  // Cannot miss while we hold the row lock; if it ever does, roll back and let the event retry.
  if (!(await changeTicket(tx, locked.ticket, { orderId }))) throw new Error(`ticket ${locked.ticket.id} changed under its row lock`);
}
