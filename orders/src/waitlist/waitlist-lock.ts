import { eq, sql } from 'drizzle-orm';
import { preparedStatement, type DbExecutor, type Params } from '@microtick/common';
import { orders } from '../db/schema';
import { waitlists } from '../db/waitlist-schema';

export type WaitlistRow = typeof waitlists.$inferSelect;

const lockWaitlistRow = preparedStatement('orders_lock_waitlist', (db, p: Params<{ ticketId: string }>) =>
  db.select().from(waitlists).where(eq(waitlists.ticketId, p('ticketId'))).for('update'),
);

/**
 * Locks the ticket's waiting list until the transaction ends (undefined: nobody ever joined it).
 * Everything that changes a ticket's entries (join, leave, an offer starting, being used or
 * lapsing, a sale) takes this lock first, so those changes happen one at a time per ticket and
 * each reads the line as the previous one left it (READ COMMITTED reads afresh after the wait).
 */
export async function lockWaitlist(tx: DbExecutor, ticketId: string): Promise<WaitlistRow | undefined> {
  const [waitlist] = await lockWaitlistRow.execute(tx, { ticketId });
  return waitlist;
}

const lockWaitlistOfOrderRow = preparedStatement('orders_lock_waitlist_of_order', (db, p: Params<{ orderId: string }>) =>
  db
    .select()
    .from(waitlists)
    .where(sql`${waitlists.ticketId} = (select ${orders.ticketId} from ${orders} where ${orders.id} = ${p('orderId')})`)
    .for('update'),
);

/**
 * `lockWaitlist` for the ticket an order reserves, found by the order's id: so the lock can be
 * sent together with the statement that changes the order, before its answer names the ticket.
 * Sent after that statement, it still runs after it (and after its wait for the order row).
 */
export async function lockWaitlistOfOrder(tx: DbExecutor, orderId: string): Promise<WaitlistRow | undefined> {
  const [waitlist] = await lockWaitlistOfOrderRow.execute(tx, { orderId });
  return waitlist;
}

const lockWaitlistsOfOrderRows = preparedStatement('orders_lock_waitlists_of_orders', (db, p: Params<{ orderIds: string[] }>) =>
  db
    .select()
    .from(waitlists)
    .where(sql`${waitlists.ticketId} in (select ${orders.ticketId} from ${orders} where ${orders.id} = any(${p('orderIds')}::uuid[]))`)
    .orderBy(waitlists.ticketId)
    .for('update'),
);

/**
 * `lockWaitlistOfOrder` for several orders at once (a batch of expiries): the lists that exist,
 * locked in ticket order, so two transactions locking some of the same lists never deadlock.
 */
export function lockWaitlistsOfOrders(tx: DbExecutor, orderIds: string[]): Promise<WaitlistRow[]> {
  return lockWaitlistsOfOrderRows.execute(tx, { orderIds });
}

/** Creates the ticket's waiting list if needed, sets the window of its future offers, and locks it. */
export async function openWaitlist(tx: DbExecutor, ticketId: string, offerWindowSeconds: number): Promise<WaitlistRow> {
  // An upsert that updates takes the row lock, exactly like lockWaitlist.
  const [waitlist] = await tx
    .insert(waitlists)
    .values({ ticketId, offerWindowSeconds })
    .onConflictDoUpdate({ target: waitlists.ticketId, set: { offerWindowSeconds } })
    .returning();
  if (!waitlist) throw new Error(`no waiting list for ticket ${ticketId}`);
  return waitlist;
}

/** The next version of the ticket's waiting list, for the event about to be staged. Needs the lock. */
export async function nextWaitlistVersion(tx: DbExecutor, waitlist: WaitlistRow): Promise<number> {
  const version = waitlist.version + 1;
  await tx.update(waitlists).set({ version }).where(eq(waitlists.ticketId, waitlist.ticketId));
  waitlist.version = version;
  return version;
}
