import { sqlStatement, type DbExecutor } from '@microtick/common';
import { getTableColumns } from 'drizzle-orm';
import { tickets, type Ticket } from '../db/schema';
import type { LockedTicket } from './ticket-holder';

const columns = Object.entries(getTableColumns(tickets)).map(([key, column]) => ({ key: key as keyof Ticket, name: column.name }));
/** A ticket's columns from `alias`, each named `<prefix><drizzle key>`, so a row maps back to a Ticket without drizzle. */
const selectTicket = (alias: string, prefix: string) => columns.map(({ key, name }) => `${alias}.${name} as "${prefix}${key}"`).join(', ');

type Row = { applied: boolean } & Record<string, unknown>;

/**
 * `lockTicketChangingOrder(…, 'cancelled')` for several cancellations of different tickets in one
 * statement (a batch of order:cancelled: a burst of expiries): the tickets are locked in id order
 * (so two such batches, or a batch and a single event, never deadlock), each cancellation that is
 * its order's next replica version is applied, and each ticket its order still holds is released
 * — under the same rule as the single statement: the release UPDATE changes a ticket only when it
 * finds it as the lock returned it (same version), otherwise the caller decides after the lock.
 * One row per input, in input order.
 */
const lockTicketsCancellingOrdersStatement = sqlStatement<[ticketIds: string[], orderIds: string[], versions: number[]], Row>(
  'tickets_lock_cancelling_orders',
  `with input as (
     select * from unnest($1::uuid[], $2::uuid[], $3::int[]) with ordinality as i(ticket_id, order_id, version, n)
   ),
   locked as (
     select t.* from tickets t where t.id in (select ticket_id from input) order by t.id for update
   ),
   applied as (
     update orders_replica r set status = 'cancelled', version = i.version
     from input i where r.id = i.order_id and r.version = i.version - 1
     returning r.id
   ),
   held as (
     update tickets t set order_id = null, version = t.version + 1
     from input i join applied a on a.id = i.order_id join locked l on l.id = i.ticket_id
     where t.id = i.ticket_id and t.order_id = i.order_id and t.version = l.version
     returning t.*
   )
   select ${selectTicket('l', 'ticket.')}, a.id is not null as applied, h.id is not null as "held", ${selectTicket('h', 'held.')}
   from input i
   left join locked l on l.id = i.ticket_id
   left join applied a on a.id = i.order_id
   left join held h on h.id = i.ticket_id
   order by i.n`,
);

/** A cancelled order's event, as the batch statement needs it. */
export interface OrderCancellation {
  id: string;
  version: number;
  ticket: { id: string };
}

/**
 * Locks the tickets of several cancellations (each of a different ticket), applying and releasing
 * in one statement what the single `lockTicketChangingOrder` would; per cancellation, what that
 * would have returned. Undefined for a ticket that does not exist (the caller fails the event).
 */
export async function lockTicketsCancellingOrders(tx: DbExecutor, cancellations: readonly OrderCancellation[]): Promise<(LockedTicket | undefined)[]> {
  const { rows } = await lockTicketsCancellingOrdersStatement.execute(tx, [
    cancellations.map((order) => order.ticket.id),
    cancellations.map((order) => order.id),
    cancellations.map((order) => order.version),
  ]);
  return rows.map((row) => {
    const ticket = ticketFrom(row, 'ticket.');
    if (!ticket) return undefined;
    return { ticket, applied: row.applied, held: row.held ? ticketFrom(row, 'held.')! : null };
  });
}

function ticketFrom(row: Row, prefix: string): Ticket | undefined {
  if (row[`${prefix}id`] === null) return undefined;
  return Object.fromEntries(columns.map(({ key }) => [key, row[`${prefix}${key}`]])) as unknown as Ticket;
}
