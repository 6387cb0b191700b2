import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder, schema } from '../db/schema';
import { sellerTickets } from './seller-desk';
import { sql } from 'drizzle-orm';
import { ticketView } from '../tickets/ticket-view';
import { listTicketPage, queryTickets, type TicketQuery } from './ticket-query';

let plans: TestDatabase<typeof schema>;
const database = () => plans;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

const SELLER = randomUUID();
const cursorAt = (sort: TicketQuery['sort'], key: number) => ({ sort, key, id: randomUUID() });

/** The plan Postgres picks for this listing query, as a flat list of nodes. */
async function planOf(query: TicketQuery): Promise<PlanNode[]> {
  const { sql, params } = queryTickets(database().db, query).toSQL();
  const { rows } = await database().pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (format json) ${sql}`, params);
  return nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
}
const indexesOf = (nodes: PlanNode[]) => nodes.flatMap((n) => (n['Index Name'] ? [n['Index Name']] : []));
const types = (nodes: PlanNode[]) => nodes.map((n) => n['Node Type']);

describe('the ticket listing queries', () => {
  // 100,000 tickets over a few years, every third one reserved, prices from 1 to 500, titles
  // from a small vocabulary (each word in a fifth of them) plus a word in 1 % of them ("Encore")
  // and a rare one ("Zebra", 0.02 %), one seller with 1,000 of them; analysed as a live table is. Enough rows that the planner prefers each index to reading the table; the tests
  // only read, so the database is seeded once (a database of its own, not the one truncated
  // between tests by the other tickets tests).
  beforeAll(async () => {
    plans = await createTestDatabase({ name: 'tickets_plans', migrationsFolder, schema });
    await plans.truncate();
    await plans.pool.query(
      `insert into tickets (title, price_cents, user_id, order_id, created_at)
       select case when i % 5000 = 1 then 'Zebra Séance ' || i
                   when i % 100 = 50 then 'Encore ' || (array['Rock', 'Jazz', 'Opera', 'Ballet', 'Football'])[1 + i % 5] || ' night ' || i
                   else (array['Rock', 'Jazz', 'Opera', 'Ballet', 'Football'])[1 + i % 5] || ' night ' || i end,
              100 + (i * 7919) % 50000,
              case when i % 100 = 0 then $1::uuid else gen_random_uuid() end,
              case when i % 3 = 0 then gen_random_uuid() end,
              now() - make_interval(secs => i * 1000)
       from generate_series(1, 100000) as i`,
      [SELLER],
    );
    // Statistics from every title, not ANALYZE's random sample of 30,000: a word in 1 % of the
    // titles sits near where the walk and the trigram bitmap cost the same, and a sample's
    // estimate of it swung the plan between runs (seen once in ~10).
    await plans.pool.query('alter table tickets alter column search_title set statistics 1000');
    await plans.pool.query('analyze tickets');
  }, 120_000);
  afterAll(() => plans?.close());

  it.each<[string, Partial<TicketQuery>]>([
    ['the first page', {}],
    ['a deep offset page', { offset: 5000 }],
    ['a cursor page', { after: cursorAt('newest', Date.now() * 1000 - 3e12) }],
  ])('newest first walks the partial newest index in order, with no sort: %s', async (_case, page) => {
    const nodes = await planOf({ sort: 'newest', limit: 51, ...page });
    expect(types(nodes)).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(nodes)).toEqual(['tickets_available_newest_idx']);
  });

  it.each<[string, TicketQuery['sort'], string, Partial<TicketQuery>]>([
    ['cheapest first', 'price_asc', 'Forward', {}],
    ['dearest first', 'price_desc', 'Backward', {}],
    ['cheapest first after a cursor', 'price_asc', 'Forward', { after: cursorAt('price_asc', 20_000) }],
    ['dearest first after a cursor', 'price_desc', 'Backward', { after: cursorAt('price_desc', 20_000) }],
    ['cheapest first in a price range', 'price_asc', 'Forward', { minPriceCents: 1_000, maxPriceCents: 5_000 }],
  ])('%s walks the partial price index, with no sort', async (_case, sort, direction, filters) => {
    const nodes = await planOf({ sort, limit: 51, ...filters });
    expect(types(nodes)).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(nodes)).toEqual(['tickets_available_price_idx']);
    expect(nodes[1]!['Scan Direction']).toBe(direction);
  });

  // The bound a cursor implies is left out: estimated as independent of the cursor's row
  // comparison, the two made Postgres expect a few rows past the cursor and read them all with
  // a bitmap, then sort (ticket-query.ts, priceBoundsAfter).
  it.each<[string, Partial<TicketQuery>, string]>([
    ['cheapest first from a minimum price', { sort: 'price_asc', minPriceCents: 49_000, after: cursorAt('price_asc', 49_100) }, 'Forward'],
    ['dearest first up to a maximum price', { sort: 'price_desc', maxPriceCents: 1_000, after: cursorAt('price_desc', 900) }, 'Backward'],
  ])('the next page of a price range walks the price index from the cursor, with no sort: %s', async (_case, page, direction) => {
    const nodes = await planOf({ sort: 'newest', limit: 51, ...page });
    expect(types(nodes)).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(nodes)).toEqual(['tickets_available_price_idx']);
    expect(nodes[1]!['Scan Direction']).toBe(direction);
  });

  it('a cursor below a minimum price still keeps the minimum', async () => {
    const rows = await queryTickets(database().db, { sort: 'price_asc', limit: 5, minPriceCents: 30_000, after: cursorAt('price_asc', 100) });
    expect(rows.map((row) => row.ticket.priceCents).every((cents) => cents >= 30_000)).toBe(true);
    expect(rows).toHaveLength(5);
  });

  // What a search costs depends on how common its words are, so it is planned for its words
  // (listTicketPage; docs/benchmarks-history.md, "Wave 10 — search"): a word in 1 % of the titles or more
  // is found soonest by walking the sort's index and filtering (51 matches after ~5,000 rows,
  // whatever the table's size), where the trigram bitmap would fetch every match (10,000 rows at a
  // million tickets: 17 ms against 0.8 ms) and sort them. A plan that cannot see the word (a
  // generic plan, a pattern hidden from the planner) picks the bitmap for every word.
  it.each<[string, string, TicketQuery['sort'], string, string]>([
    ['1 % of titles, newest first', 'encore', 'newest', 'tickets_available_newest_idx', 'Forward'],
    ['1 % of titles, cheapest first', 'encore', 'price_asc', 'tickets_available_price_idx', 'Forward'],
    ['1 % of titles, dearest first', 'encore', 'price_desc', 'tickets_available_price_idx', 'Backward'],
    ['a fifth of titles, newest first', 'rock', 'newest', 'tickets_available_newest_idx', 'Forward'],
  ])('a search for a common word (%s) walks the sort index and filters, with no sort', async (_case, word, sort, index, direction) => {
    const nodes = await planOf({ sort, limit: 51, words: [word] });
    expect(types(nodes)).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(nodes)).toEqual([index]);
    expect(nodes[1]!['Scan Direction']).toBe(direction);
  });

  it.each<TicketQuery['sort']>(['newest', 'price_asc'])('a search for a rare word reads only its matches from the trigram index, then sorts them: %s', async (sort) => {
    const nodes = await planOf({ sort, limit: 51, words: ['zebra'] });
    expect(types(nodes)).toEqual(['Limit', 'Sort', 'Bitmap Heap Scan', 'Bitmap Index Scan']);
    expect(indexesOf(nodes)).toEqual(['tickets_available_title_search_idx']);
  });

  it('a search folds case and accents on both sides, and matches each word anywhere in the title', async () => {
    const rows = await queryTickets(database().db, { sort: 'newest', limit: 100, words: ['SEANCE', 'zéb'] });
    // Zebra titles are i = 1 + 5000k (k = 0…19); the 7 with k ≡ 1 (mod 3) are reserved.
    expect(rows).toHaveLength(13);
    expect(rows.every((row) => row.ticket.title.startsWith('Zebra Séance') && row.ticket.orderId === null)).toBe(true);
  });

  it.each<[string, TicketQuery]>([
    ['the first page', { sort: 'newest', limit: 50 }],
    ['a deep offset page', { sort: 'newest', limit: 50, offset: 5000 }],
    ['a cursor page', { sort: 'newest', limit: 50, after: cursorAt('newest', Date.now() * 1000 - 3e12) }],
    ['cheapest first', { sort: 'price_asc', limit: 50, offset: 51 }],
    ['dearest first after a cursor', { sort: 'price_desc', limit: 50, after: cursorAt('price_desc', 20_000) }],
  ])('a page without search or price range is a prepared statement whose generic plan walks the index too: %s', async (_case, query) => {
    const rows = await queryTickets(database().db, { ...query, limit: query.limit + 1 });
    const last = rows[query.limit - 1]!;
    const expected = { json: JSON.stringify(rows.slice(0, query.limit).map((row) => ticketView(row.ticket))), next: { key: Number(last.sortKey), id: last.ticket.id } };
    const explained = await database().db.transaction(async (tx) => {
      // What Postgres may switch to after five executions, forced from the first.
      await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
      expect(await listTicketPage(tx, query)).toEqual(expected);
      const name = `tickets_page_public_${query.sort}_${query.after ? 'after' : 'offset'}`;
      const { rows } = await tx.execute<{ name: string; parameter_types: string }>(
        sql`select name, parameter_types::text from pg_prepared_statements where name = ${name} and generic_plans > 0`,
      );
      expect(rows).toHaveLength(1);
      // In the order of the statement's text: the cursor's key and id, then limit and offset.
      const values = [...(query.after ? [query.after.key, `'${query.after.id}'`] : []), query.limit + 1, query.offset ?? 0];
      expect(rows[0]!.parameter_types.split(',')).toHaveLength(values.length);
      const plan = await tx.execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(sql.raw(`explain (format json) execute ${rows[0]!.name}(${values.join(', ')})`));
      return nodesOf(plan.rows[0]!['QUERY PLAN'][0].Plan);
    });
    expect(types(explained)).toEqual(['Limit', 'Index Scan']);
    expect(indexesOf(explained)).toEqual([query.sort === 'newest' ? 'tickets_available_newest_idx' : 'tickets_available_price_idx']);
  });

  it('a search or price range pages the same way, built for its values', async () => {
    const query: TicketQuery = { sort: 'price_asc', limit: 10, words: ['zebra'], minPriceCents: 100 };
    const rows = await queryTickets(database().db, { ...query, limit: 11 });
    const last = rows[9]!;
    expect(rows).toHaveLength(11);
    expect(await listTicketPage(database().db, query)).toEqual({
      json: JSON.stringify(rows.slice(0, 10).map((row) => ticketView(row.ticket))),
      next: { key: last.sortKey, id: last.ticket.id },
    });
  });

  it.each<[string, Parameters<typeof sellerTickets>[2]]>([
    ['the first page', { limit: 51 }],
    ['a cursor page', { limit: 51, after: cursorAt('newest', Date.now() * 1000 - 3e12) }],
  ])("a seller's desk walks the seller index newest first, with no sort, probing replicas and check-ins by key: %s", async (_case, page) => {
    const { sql, params } = sellerTickets(database().db, SELLER, page).toSQL();
    const { rows } = await database().pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (format json) ${sql}`, params);
    const nodes = nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
    expect(types(nodes)).not.toContain('Sort');
    expect(types(nodes)).not.toContain('Seq Scan');
    expect(indexesOf(nodes)).toEqual(['tickets_seller_newest_idx', 'orders_replica_pkey', 'checkins_pkey']);
  });
});
