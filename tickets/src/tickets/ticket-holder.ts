import { preparedStatement, type DbExecutor, type OrderStatus, type Params } from '@microtick/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { ordersReplica, tickets, type Ticket } from '../db/schema';
import { changeTicket } from './change-ticket';

/**
 * "Not yet" retries back off to one every 2 s, so this many deliveries let an order event wait
 * about two minutes for the other order consumer (restarting, or catching up on a backlog)
 * before it is parked as a dead letter. common's default of 10 gives up after about 9 s.
 */
export const ORDER_EVENT_MAX_DELIVER = 60;

/**
 * The ticket an order event is about, row-locked until the handler commits (a CTE of the two
 * statements below). Taking the ticket lock first serialises all order events about one ticket,
 * so the orders replica statements that follow (versionedReplica) already see any of them that
 * committed before.
 */
const lockedTicket = (db: DbExecutor, ticketId: unknown) =>
  db.$with('locked').as(db.select().from(tickets).where(eq(tickets.id, sql`${ticketId}`)).for('update'));

/**
 * The ticket's lock and the usual replica change of a later order event (version N on top of N-1) in
 * one statement. The ticket's lock still decides what the handler does: FOR UPDATE returns the
 * row as the transaction that held it left it (READ COMMITTED re-reads a locked row after the
 * wait). The replica UPDATE, though, looks with the statement's snapshot, taken before that wait:
 * it may miss a replica row an order event holding the ticket has just committed; then it
 * changes nothing and the caller applies the event through versionedReplica, whose statements
 * come after the lock and see that row. Either way the replica row's own lock orders two
 * deliveries of one event.
 */
const lockTicketSettingOrderStatus = preparedStatement(
  'tickets_lock_setting_order_status',
  (db, p: Params<{ ticketId: string; orderId: string; status: OrderStatus; version: number; previous: number }>) => {
    const locked = lockedTicket(db, p('ticketId'));
    const applied = db.$with('applied').as(
      db
        .update(ordersReplica)
        .set({ status: p('status') as unknown as OrderStatus, version: p('version') as unknown as number })
        .where(and(eq(ordersReplica.id, p('orderId')), eq(ordersReplica.version, p('previous'))))
        .returning({ id: ordersReplica.id }),
    );
    return db
      .with(locked, applied)
      .select({ ticket: locked._.selectedFields, applied: sql<boolean>`${applied.id} is not null` })
      .from(locked)
      .leftJoin(applied, sql`true`);
  },
);

/**
 * The ticket's lock and an order's creation (replica version 0) in one statement, inserted only when
 * the locked ticket is free: the insert reads the locked row, so it waits for the lock and sees
 * the ticket as the previous holder's transaction left it. Held, or already known: nothing is
 * inserted, and the caller decides through versionedReplica as before.
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
  return db
    .with(locked, inserted)
    .select({ ticket: locked._.selectedFields, applied: sql<boolean>`${inserted.id} is not null` })
    .from(locked)
    .leftJoin(inserted, sql`true`);
});

/**
 * Locks the ticket of an order event that moves the order to `status` (cancelled, complete):
 * when the event is the replica's next version (the usual case) it is applied in the locking
 * statement, `applied: true`; otherwise (`false`) the caller applies it with versionedReplica.
 */
export async function lockTicketChangingOrder(
  tx: DbExecutor,
  order: { id: string; version: number; ticket: { id: string } },
  status: OrderStatus,
): Promise<{ ticket: Ticket; applied: boolean }> {
  const [row] = await lockTicketSettingOrderStatus.execute(tx, { ticketId: order.ticket.id, orderId: order.id, status, version: order.version, previous: order.version - 1 });
  return lockedOrFail(row, order);
}

/**
 * Locks the ticket of an order's creation: the replica row is inserted in the locking
 * statement when the ticket is free and the order new (`applied: true`); otherwise the caller
 * decides with versionedReplica (a held ticket, a duplicate delivery).
 */
export async function lockTicketCreatingOrderIfFree(
  tx: DbExecutor,
  order: { id: string; status: OrderStatus; ticket: { id: string } },
): Promise<{ ticket: Ticket; applied: boolean }> {
  const [row] = await lockTicketCreatingOrder.execute(tx, { ticketId: order.ticket.id, orderId: order.id, status: order.status });
  return lockedOrFail(row, order);
}

function lockedOrFail(row: { ticket: Ticket; applied: boolean } | undefined, order: { id: string; ticket: { id: string } }): { ticket: Ticket; applied: boolean } {
  // Orders only learns of tickets from our ticket:created, committed here before it was
  // published: a missing ticket is a bug or a foreign event, so fail (and dead-letter), not wait.
  // (The replica change of that statement, if any, rolls back with the handler.)
  if (!row) throw new Error(`ticket ${order.ticket.id} of order ${order.id} does not exist`);
  return row;
}

/** Locks (order id) or releases (null) a ticket locked by `lockTicketChangingOrder` / `lockTicketCreatingOrderIfFree`, publishing ticket:updated. */
export async function setTicketHolder(tx: DbExecutor, ticket: Ticket, orderId: string | null): Promise<void> {
  // Cannot miss while we hold the row lock; if it ever does, roll back and let the event retry.
  if (!(await changeTicket(tx, ticket, { orderId }))) throw new Error(`ticket ${ticket.id} changed under its row lock`);
}
