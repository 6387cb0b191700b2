import { preparedStatement, type DbExecutor, type Params, type PreparedStatement } from '@microtick/common';
import { and, asc, desc, eq, gte, isNull, lte, sql, type Placeholder, type SQL } from 'drizzle-orm';
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

/** A value of the query, or the placeholder standing for it in a statement prepared once. */
type Value<T> = T | Placeholder<string, T>;

/** Rows strictly after the cursor in the sort's order, as one row comparison the index can seek to. */
function afterCursor({ sort, key, id }: { sort: TicketSort; key: Value<number>; id: Value<string> }): SQL {
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
  return buildQuery(db, query, query);
}

type PageValues = { sellerId: string; limit: number; offset: number; afterKey: number; afterId: string };

/**
 * Runs `queryTickets`. A listing without search words or price bounds (the front page, the next
 * pages) runs as a statement prepared once per shape: its plan is the same whatever the values
 * (an index walk in sort order; ticket-query.test.ts checks the generic plan). A search or a price
 * range is built and planned for its values every time, so Postgres judges the words' and the
 * range's selectivity (a generic plan cannot see them).
 */
export function listTickets(db: DbExecutor, query: TicketQuery) {
  if (query.words?.length || query.minPriceCents !== undefined || query.maxPriceCents !== undefined) return queryTickets(db, query);
  return pageStatement(query).execute(db, {
    sellerId: query.sellerId ?? '',
    limit: query.limit,
    offset: query.offset ?? 0,
    afterKey: query.after?.key ?? 0,
    afterId: query.after?.id ?? '',
  });
}

type PageStatement = PreparedStatement<PageValues, Awaited<ReturnType<typeof queryTickets>>>;
const pageStatements = new Map<string, PageStatement>();

function pageStatement(query: TicketQuery): PageStatement {
  const shape = `${query.sellerId === undefined ? 'public' : 'seller'}_${query.sort}_${query.after ? 'after' : 'offset'}`;
  let statement = pageStatements.get(shape);
  if (!statement) {
    statement = preparedStatement(`tickets_page_${shape}`, (db, p: Params<PageValues>) =>
      buildQuery(db, { sellerId: query.sellerId === undefined ? undefined : p('sellerId'), sort: query.sort }, {
        limit: p('limit'),
        offset: p('offset'),
        after: query.after ? { sort: query.sort, key: p('afterKey'), id: p('afterId') } : undefined,
      }),
    );
    pageStatements.set(shape, statement);
  }
  return statement;
}

function buildQuery(
  db: DbExecutor,
  filters: Omit<TicketQuery, 'sellerId' | 'limit' | 'offset' | 'after'> & { sellerId?: Value<string> },
  page: { limit: Value<number>; offset?: Value<number>; after?: { sort: TicketSort; key: Value<number>; id: Value<string> } },
) {
  const conditions = [
    // For sale: no order holds it and no waiting-list offer either (docs/waitlist.md; offers are
    // few, so the listing indexes on order_id is null still serve and this filters the rest).
    filters.sellerId === undefined ? and(isNull(tickets.orderId), isNull(tickets.waitlistOfferId)) : eq(tickets.userId, filters.sellerId),
    ...(filters.words ?? []).map(titleContains),
    filters.minPriceCents === undefined ? undefined : gte(tickets.priceCents, filters.minPriceCents),
    filters.maxPriceCents === undefined ? undefined : lte(tickets.priceCents, filters.maxPriceCents),
    page.after ? afterCursor(page.after) : undefined,
  ];
  return db
    .select({ ticket: tickets, sortKey: sortKey[filters.sort] })
    .from(tickets)
    .where(and(...conditions))
    .orderBy(...orderBy[filters.sort])
    .limit(page.limit)
    .offset(page.offset ?? 0);
}
