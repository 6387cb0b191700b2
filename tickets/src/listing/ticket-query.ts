import type { DbExecutor } from '@microtick/common';
import { and, asc, desc, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { tickets } from '../db/schema';
import type { PageCursor, TicketSort } from './page-cursor';

/** What a listing asks for; every field is already validated. */
export interface TicketQuery {
  /** The seller whose desk this is; unset: the public listing (tickets nobody has reserved). */
  sellerId?: string;
  /** Words that must each appear in the title, ignoring case and accents. */
  words?: string[];
  minPriceCents?: number;
  maxPriceCents?: number;
  sort: TicketSort;
  limit: number;
  /** Start after this row (keyset paging) … */
  after?: PageCursor;
  /** … or skip this many rows (offset paging, capped by the route). */
  offset?: number;
}

/** created_at as whole microseconds since 1970: exact, unlike a JS Date. */
const createdAtMicros = sql<number>`(extract(epoch from ${tickets.createdAt}) * 1000000)::bigint`;

const sortKey = { newest: createdAtMicros, price_asc: tickets.priceCents, price_desc: tickets.priceCents };

const orderBy = {
  newest: [desc(tickets.createdAt), desc(tickets.id)],
  price_asc: [asc(tickets.priceCents), asc(tickets.id)],
  price_desc: [desc(tickets.priceCents), desc(tickets.id)],
};

/** Rows strictly after the cursor in the sort's order, as one row comparison the index can seek to. */
function afterCursor({ sort, key, id }: PageCursor): SQL {
  if (sort === 'newest') {
    return sql`(${tickets.createdAt}, ${tickets.id}) < (timestamptz 'epoch' + ${key}::bigint * interval '1 microsecond', ${id}::uuid)`;
  }
  return sort === 'price_asc'
    ? sql`(${tickets.priceCents}, ${tickets.id}) > (${key}::integer, ${id}::uuid)`
    : sql`(${tickets.priceCents}, ${tickets.id}) < (${key}::integer, ${id}::uuid)`;
}

/**
 * `word` appears in the title: the word folded by ticket_search_text (lower + unaccent), the
 * same function that fills `search_title`, which the trigram index is built on. The word's
 * LIKE wildcards are escaped after folding, so "100%" means the text "100%".
 */
const titleContains = (word: string): SQL =>
  sql`${tickets.searchTitle} like '%' || replace(replace(replace(ticket_search_text(${word}), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;

/**
 * One page of tickets, plus each row's sort key for the next cursor. The indexes that serve it
 * (see db/schema.ts) are checked with EXPLAIN in ticket-query.test.ts.
 */
export function queryTickets(db: DbExecutor, query: TicketQuery) {
  const conditions = [
    // For sale: no order holds it and no waiting-list offer either (docs/waitlist.md; offers are
    // few, so the listing indexes on order_id is null still serve and this filters the rest).
    query.sellerId === undefined ? and(isNull(tickets.orderId), isNull(tickets.waitlistOfferId)) : eq(tickets.userId, query.sellerId),
    ...(query.words ?? []).map(titleContains),
    query.minPriceCents === undefined ? undefined : gte(tickets.priceCents, query.minPriceCents),
    query.maxPriceCents === undefined ? undefined : lte(tickets.priceCents, query.maxPriceCents),
    query.after ? afterCursor(query.after) : undefined,
  ];
  return db
    .select({ ticket: tickets, sortKey: sortKey[query.sort] })
    .from(tickets)
    .where(and(...conditions))
    .orderBy(...orderBy[query.sort])
    .limit(query.limit)
    .offset(query.offset ?? 0);
}
