import { fromCents, type DbExecutor } from '@microtick/common';
import { and, desc, eq, sql } from 'drizzle-orm';
import { checkins, ordersReplica, tickets, type Ticket } from '../db/schema';
import { ticketView } from '../tickets/ticket-view';
import type { PageCursor } from './page-cursor';

/**
 * Where a seller's ticket stands: on sale, held by an order that is not paid yet (or, with a
 * waiting list, offered), or sold — its order completed (`order:completed`).
 */
export type SellerTicketStatus = 'available' | 'reserved' | 'sold';

/** The order holding the ticket completed: the replica says so once order:completed is applied. */
// Under a waiting-list offer (no order holds it, but it is held for someone) it is reserved too.
const statusOf = sql<SellerTicketStatus>`case when ${tickets.orderId} is null and ${tickets.waitlistOfferId} is null then 'available' when ${ordersReplica.status} = 'complete' then 'sold' else 'reserved' end`;

const createdAtMicros = sql<number>`(extract(epoch from ${tickets.createdAt}) * 1000000)::bigint`;

/**
 * One page of a seller's tickets, newest first, whatever their state: a walk down
 * `tickets_seller_newest_idx` with one primary-key probe per row into the order replicas and
 * check-ins (see ticket-query.test.ts for the plan).
 */
export function sellerTickets(db: DbExecutor, sellerId: string, page: { limit: number; offset?: number; after?: PageCursor }) {
  const after = page.after
    ? sql`(${tickets.createdAt}, ${tickets.id}) < (timestamptz 'epoch' + ${page.after.key}::bigint * interval '1 microsecond', ${page.after.id}::uuid)`
    : undefined;
  return db
    .select({ ticket: tickets, sortKey: createdAtMicros, status: statusOf, checkedInAt: checkins.checkedInAt })
    .from(tickets)
    .leftJoin(ordersReplica, eq(ordersReplica.id, tickets.orderId))
    .leftJoin(checkins, eq(checkins.ticketId, tickets.id))
    .where(and(eq(tickets.userId, sellerId), after))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(page.limit)
    .offset(page.offset ?? 0);
}

/** A seller's ticket as GET /api/tickets/mine shows it: the ticket, its status, and when it was checked in. */
export const sellerTicketView = (row: { ticket: Ticket; status: SellerTicketStatus; checkedInAt: Date | null }) => ({
  ...ticketView(row.ticket),
  status: row.status,
  checkedInAt: row.checkedInAt?.toISOString() ?? null,
});

export interface SellerSummary {
  available: number;
  reserved: number;
  sold: number;
  /** What the sold tickets fetched, in currency units (their listed price when sold). */
  soldTotal: number;
}

/** Counts by status and the takings, over all of a seller's tickets (one pass over their index range). */
export async function sellerSummary(db: DbExecutor, sellerId: string): Promise<SellerSummary> {
  const rows = await db
    .select({ status: statusOf, count: sql<number>`count(*)::int`, cents: sql<number>`coalesce(sum(${tickets.priceCents}), 0)::bigint` })
    .from(tickets)
    .leftJoin(ordersReplica, eq(ordersReplica.id, tickets.orderId))
    .where(eq(tickets.userId, sellerId))
    .groupBy(statusOf);
  const by = (status: SellerTicketStatus) => rows.find((row) => row.status === status);
  return { available: by('available')?.count ?? 0, reserved: by('reserved')?.count ?? 0, sold: by('sold')?.count ?? 0, soldTotal: fromCents(Number(by('sold')?.cents ?? 0)) };
}
