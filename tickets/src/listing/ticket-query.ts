import { rawPreparedStatement, type DbExecutor } from '@microtick/common';
import { and, asc, desc, eq, gte, isNull, lte, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { tickets } from '../db/schema';
import type { PageCursor, TicketSort } from './page-cursor';
import { ticketJsonText } from './ticket-json';

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
  return db
    .select({ ticket: tickets, sortKey: sortKey[query.sort] })
    .from(tickets)
    .where(whereOf(query, query))
    .orderBy(...orderBy[query.sort])
    .limit(query.limit)
    .offset(query.offset ?? 0);
}

/** One page of the listing, as the API answers it. */
export interface TicketPage {
  /** The page's tickets as a JSON array (the bytes the route sends). */
  json: string;
  /** Where the next page starts, when there is one: the last ticket shown. */
  next?: { key: number; id: string };
}

type PageValues = { sellerId: string; limit: number; offset: number; afterKey: number; afterId: string };

/**
 * One page of `query.limit` tickets, each as the JSON text Postgres wrote (ticket-json.ts), joined
 * into the array the API answers. A listing without search words or price bounds (the front
 * page, the next pages) runs as a statement prepared once per shape: its plan is the same
 * whatever the values (an index walk in sort order; ticket-query.test.ts checks the generic
 * plan). A search or a price range is built and planned for its values every time, so Postgres
 * judges the words' and the range's selectivity (a generic plan cannot see them).
 */
export async function listTicketPage(db: DbExecutor, query: TicketQuery): Promise<TicketPage> {
  // One row more than shown: its presence says that there is a next page.
  const limit = query.limit + 1;
  const rows =
    query.words?.length || query.minPriceCents !== undefined || query.maxPriceCents !== undefined
      ? await pageQuery(db, query, { ...query, limit })
      : await pageStatement(query).execute(db, {
          sellerId: query.sellerId ?? '',
          limit,
          offset: query.offset ?? 0,
          afterKey: query.after?.key ?? 0,
          afterId: query.after?.id ?? '',
        });
  const shown = rows.length > query.limit ? rows.slice(0, query.limit) : rows;
  const json = `[${shown.map((row) => row.json).join(',')}]`;
  const last = shown.at(-1);
  return rows.length > query.limit && last ? { json, next: { key: Number(last.key), id: last.id } } : { json };
}

/** A listing row as pageQuery selects it: the ticket's JSON and the cursor after it. */
interface PageRow extends Record<string, unknown> {
  json: string;
  /** bigint: pg gives it as text, exact. */
  key: string;
  id: string;
}

/**
 * A page statement, named `tickets_page_<shape>`: its SQL built by drizzle once, its rows as pg
 * gives them (rawPreparedStatement): drizzle's mapping of each row (and its field checks) was
 * still 6 % of the service's CPU under the listing load with rows of three strings.
 */
type PageStatement = ReturnType<typeof rawPreparedStatement<PageValues, PageRow>>;
const pageStatements = new Map<string, PageStatement>();

function pageStatement(query: TicketQuery): PageStatement {
  const shape = `${query.sellerId === undefined ? 'public' : 'seller'}_${query.sort}_${query.after ? 'after' : 'offset'}`;
  let statement = pageStatements.get(shape);
  if (!statement) {
    statement = rawPreparedStatement<PageValues, PageRow>(`tickets_page_${shape}`, (db, p) =>
      pageQuery(db, { sellerId: query.sellerId === undefined ? undefined : p('sellerId'), sort: query.sort }, {
        limit: p('limit'),
        offset: p('offset'),
        after: query.after ? { sort: query.sort, key: p('afterKey'), id: p('afterId') } : undefined,
      }),
    );
    pageStatements.set(shape, statement);
  }
  return statement;
}

type Filters = Omit<TicketQuery, 'sellerId' | 'limit' | 'offset' | 'after'> & { sellerId?: Value<string> };
type PageBounds = { limit: Value<number>; offset?: Value<number>; after?: { sort: TicketSort; key: Value<number>; id: Value<string> } };

/**
 * The rows of `queryTickets`, each as its JSON text and the two values a cursor after it needs:
 * three short columns instead of every column of the row, parsed (a Date for created_at) and
 * mapped by drizzle, then stringified again.
 */
function pageQuery(db: DbExecutor, filters: Filters, page: PageBounds) {
  return db
    .select({ json: ticketJsonText.as('json'), key: sql<string>`${sortKey[filters.sort]}`.as('key'), id: tickets.id })
    .from(tickets)
    .where(whereOf(filters, page))
    .orderBy(...orderBy[filters.sort])
    .limit(page.limit)
    .offset(page.offset ?? 0);
}

/** Which tickets a listing shows, in its order: the WHERE of both queries above. */
function whereOf(filters: Filters, page: PageBounds): SQL | undefined {
  const { minPriceCents, maxPriceCents } = priceBoundsAfter(filters, page.after);
  return and(
    // For sale: no order holds it and no waiting-list offer either (docs/waitlist.md; offers are
    // few, so the listing indexes on order_id is null still serve and this filters the rest).
    filters.sellerId === undefined ? and(isNull(tickets.orderId), isNull(tickets.waitlistOfferId)) : eq(tickets.userId, filters.sellerId),
    ...(filters.words ?? []).map(titleContains),
    minPriceCents === undefined ? undefined : gte(tickets.priceCents, minPriceCents),
    maxPriceCents === undefined ? undefined : lte(tickets.priceCents, maxPriceCents),
    page.after ? afterCursor(page.after) : undefined,
  );
}

/**
 * The price bounds still needed past a cursor: the bound a price-sorted cursor already implies
 * (`minPrice` below the key walking up, `maxPrice` above it walking down) is left out. Postgres
 * would estimate it and the cursor's row comparison as independent, although one contains the
 * other, and expect a handful of rows where there are hundreds: the next page of
 * `?sort=price_asc&minPrice=…` was then read with a bitmap and sorted (794 rows, 1.5 ms at
 * 10,000 tickets) instead of walking 51 entries of the price index (0.3 ms).
 */
function priceBoundsAfter({ minPriceCents, maxPriceCents }: Filters, after: PageBounds['after']): Pick<Filters, 'minPriceCents' | 'maxPriceCents'> {
  // A placeholder key (a prepared page) comes with no price bounds: nothing to leave out.
  if (typeof after?.key !== 'number') return { minPriceCents, maxPriceCents };
  const { sort, key } = after;
  return {
    minPriceCents: sort === 'price_asc' && minPriceCents !== undefined && key >= minPriceCents ? undefined : minPriceCents,
    maxPriceCents: sort === 'price_desc' && maxPriceCents !== undefined && key <= maxPriceCents ? undefined : maxPriceCents,
  };
}
