import { addToOutbox, preparedStatement, type DbExecutor, type Params, type PreparedStatement } from '@microtick/common';
import { and, eq, sql } from 'drizzle-orm';
import { tickets, type Ticket } from '../db/schema';
import { ticketsChangedOnCommit } from '../listing/listing-cache';
import { ticketView } from './ticket-view';

type TicketChanges = Partial<Pick<Ticket, 'title' | 'priceCents' | 'orderId' | 'waitlistOfferId' | 'waitlistVersion'>>;
type ChangeValues = Record<string, unknown> & { id: string; version: number };

/** One prepared update per set of changed columns (a handful: holder, offer, edits), built on first use. */
const updatesByColumns = new Map<string, PreparedStatement<ChangeValues, Ticket[]>>();

function updateFor(columns: string[]): PreparedStatement<ChangeValues, Ticket[]> {
  const key = columns.join(',');
  let statement = updatesByColumns.get(key);
  if (!statement) {
    statement = preparedStatement(`tickets_change_${updatesByColumns.size}`, (db, p: Params<ChangeValues>) =>
      db
        .update(tickets)
        .set({ ...Object.fromEntries(columns.map((column) => [column, p(column)])), version: sql`${tickets.version} + 1` })
        .where(and(eq(tickets.id, p('id')), eq(tickets.version, p('version'))))
        .returning(),
    );
    updatesByColumns.set(key, statement);
  }
  return statement;
}

/**
 * The one way a ticket changes: only if it is still at the version the caller read, bumping the
 * version and staging `ticket:updated` in the same transaction. Returns undefined when someone
 * else changed the ticket first; the caller decides whether that is a 409 or a retry.
 */
export async function changeTicket(tx: DbExecutor, current: Ticket, changes: TicketChanges): Promise<Ticket | undefined> {
  const columns = (Object.keys(changes) as (keyof TicketChanges)[]).filter((column) => changes[column] !== undefined).sort();
  const values = Object.fromEntries(columns.map((column) => [column, changes[column]]));
  const [changed] = await updateFor(columns).execute(tx, { ...values, id: current.id, version: current.version });
  if (changed) await stageTicketUpdated(tx, changed);
  return changed;
}

/**
 * Stages `ticket:updated` for a ticket as a statement of this transaction changed it (changeTicket, or one that changes it in SQL),
 * and tells this process's listing cache once the transaction commits.
 */
export async function stageTicketUpdated(tx: DbExecutor, changed: Ticket): Promise<void> {
  ticketsChangedOnCommit(tx);
  await addToOutbox(tx, 'ticket:updated', ticketView(changed));
}
