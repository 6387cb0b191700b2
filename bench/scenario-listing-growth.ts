import { createHash, randomUUID } from 'node:crypto';
import type { Market } from './bench-stack';
import { cpuPerRequest, meterCpu } from './cpu-usage';
import { runLoad } from './load';
import type { ResultRow } from './report';
import { ms, p50p99, summarize, type Summary } from './stats';

export const LISTING_GROWTH_TARGET_RATIO = 1.3;
const SMALL = 10_000;
const LARGE = 1_000_000;
/** Rows are added in chunks of this many, so that a slow machine stops at the budget with a size it can name. */
const CHUNK = 100_000;
/** 100 distinct search words, each in 1 % of the generated titles (8 hex characters: several trigrams each). */
const searchWord = (n: number) => createHash('md5').update(String(n)).digest('hex').slice(0, 8);
const CONNECTIONS = 10;

interface Probe {
  name: string;
  path: string;
}

/** One probe's figures at one size: every latency (pooled when a size is measured twice) and the CPU per request. */
interface ProbeFigures {
  name: string;
  latencies: number[];
  latency: Summary;
  cpu: { total: number; text: string };
}

/**
 * GET /api/tickets p50/p99 with 10,000 tickets stored and again with up to 1,000,000, through
 * the gateway: the first page, a deep cursor page (from the `Link` header of a page that starts
 * at the 90th percentile of price, `sort=price_asc`, so the cursor sits 90 % into the price
 * index), and a title search (`q=` a word in 1 % of the titles). The rows are generated with
 * one `insert … select generate_series` per chunk straight into the stack's tickets database
 * (the generated `search_title` column and every index are maintained by Postgres as for
 * real rows), then VACUUM (ANALYZE); they belong to a made-up seller and are deleted at the end.
 * `budgetSeconds` bounds the generation: when it runs out, the large size is what was reached.
 *
 * The small size is measured twice, before the large one and again after the generated rows are
 * deleted (then REINDEX and VACUUM (ANALYZE)), and its two samples are pooled: on a machine
 * shared with other work, the background load drifts over the minute between the sizes, and a
 * single small sample taken first put all of that drift on one side of the ratio (the first
 * page's p99 read 0.66× and 2.28× in runs minutes apart with nothing changed). Each row also
 * gives the CPU per request by process at both sizes (the stack's processes and its Postgres
 * backends): at 10 connections on two cores the latency follows it, and other work on the
 * machine moves it far less than a p99 of a few ms (docs/benchmarks-history.md, "Wave 10 — search").
 */
export async function listingGrowth(market: Market, seconds: number, budgetSeconds: number): Promise<ResultRow[]> {
  const db = market.db.tickets;
  // Two made-up sellers: one owns the small size's generated rows, the other the rows beyond it,
  // so that going back to the small size is deleting the second one's.
  const seller = randomUUID();
  const grownSeller = randomUUID();
  const count = async () => (await db.query<{ n: number }>('select count(*)::int as n from tickets where order_id is null')).rows[0]?.n ?? 0;
  const generate = async (from: number, to: number, owner = seller) => {
    // Older than every real ticket (created_at in the past, one per second), prices 1.00–1000.99.
    await db.query(
      `insert into tickets (title, price_cents, user_id, created_at)
       select 'Bench night ' || substr(md5((i % 100)::text), 1, 8) || ' row ' || i,
              100 + (i::bigint * 7919) % 100000, $1::uuid, now() - interval '1 second' * i - interval '1 day'
       from generate_series($2::int, $3::int) as i`,
      [owner, from, to],
    );
  };
  const word = searchWord(42);

  const deleteGenerated = async (owners: string[]) => {
    const startedAt = performance.now();
    await db.query('delete from tickets where user_id = any($1::uuid[])', [owners]);
    console.log(`  listing growth: generated rows deleted in ${ms(performance.now() - startedAt)}`);
  };

  try {
    const existing = await count();
    let generated = Math.max(0, SMALL - existing);
    if (generated) await generate(1, generated);
    await settleTable(db);
    const smallBefore = await measure(market, await probes(market, word), seconds);
    const smallSize = await count();

    const startedAt = performance.now();
    const wanted = LARGE - existing;
    while (generated < wanted && performance.now() - startedAt < budgetSeconds * 1000) {
      const next = Math.min(generated + CHUNK, wanted);
      await generate(generated + 1, next, grownSeller);
      generated = next;
    }
    await settleTable(db);
    const generationSeconds = (performance.now() - startedAt) / 1000;
    const largeSize = await count();
    console.log(`  listing growth: ${smallSize.toLocaleString('en-US')} → ${largeSize.toLocaleString('en-US')} tickets for sale, generated in ${generationSeconds.toFixed(0)} s`);
    const large = await measure(market, await probes(market, word), seconds);

    // Back to the small size: the rows generated beyond it go, and so does what they left in the
    // indexes. VACUUM empties the index pages but keeps them: with 39–69 MB of indexes over
    // 10,000 rows the planner reads the search's table sequentially (1.07 against 0.44 ms a
    // search); rebuilt, the indexes are a fresh table's and so are the plans and their times
    // (0.35 ms, measured on a private database).
    await deleteGenerated([grownSeller]);
    await db.query('reindex table tickets');
    await settleTable(db);
    const smallAfter = await measure(market, await probes(market, word), seconds);

    const rows = smallBefore.map((before, index): ResultRow => {
      const after = smallAfter[index] as ProbeFigures;
      const atLarge = large[index] as ProbeFigures;
      const small = summarize([...before.latencies, ...after.latencies]);
      const ratio = atLarge.latency.p99 / small.p99;
      return {
        measure: `6. GET /api/tickets ${before.name}: p50 / p99 with ${largeSize.toLocaleString('en-US')} tickets vs ${smallSize.toLocaleString('en-US')} (${CONNECTIONS} connections, ${seconds} s; the small size measured before and after the large, pooled), CPU per request`,
        microtick: `${p50p99(atLarge.latency)}; ${atLarge.cpu.text}`,
        baseline: `${p50p99(small)} (at ${smallSize.toLocaleString('en-US')}: before ${p50p99(before.latency)}, after ${p50p99(after.latency)}); ${before.cpu.text} before, ${after.cpu.text} after`,
        ratio,
        target: `p99 ≤ ${LISTING_GROWTH_TARGET_RATIO}× the small figure`,
        met: ratio <= LISTING_GROWTH_TARGET_RATIO,
      };
    });
    return [...rows, { measure: '6. … rows generated by SQL (insert … select generate_series, then VACUUM (ANALYZE))', microtick: `${(largeSize - smallSize).toLocaleString('en-US')} in ${generationSeconds.toFixed(0)} s`, baseline: '', target: '' }];
  } finally {
    await deleteGenerated([seller, grownSeller]);
  }
}

/**
 * VACUUM (ANALYZE) after a bulk insert: what autovacuum does to a table that grew by inserts
 * (autovacuum_vacuum_insert_threshold) before it is read much. Without it the first reads of
 * every fresh heap page set its hint bits (a write each) and the visibility map is empty, so a
 * figure taken right after generating measures the bulk load's aftermath, not the size.
 */
async function settleTable(db: Market['db']['tickets']): Promise<void> {
  await db.query('vacuum (analyze) tickets');
}

/** The three requests, the deep one found through the API itself (its `Link` header). */
async function probes(market: Market, word: string): Promise<Probe[]> {
  const deepPrice = (
    await market.db.tickets.query<{ cents: number }>(
      'select price_cents as cents from tickets where order_id is null order by price_cents offset (select (count(*) * 0.9)::int from tickets where order_id is null) limit 1',
    )
  ).rows[0]?.cents;
  const start = await fetch(`${market.stack.url}/api/tickets?sort=price_asc&minPrice=${((deepPrice ?? 100) / 100).toFixed(2)}`);
  await start.arrayBuffer();
  const link = /<([^>]+)>;\s*rel="next"/.exec(start.headers.get('link') ?? '')?.[1];
  if (!link) throw new Error(`no Link header on the page at price ${deepPrice}: ${start.status}`);
  return [
    { name: 'first page', path: '/api/tickets' },
    { name: 'deep cursor page (price_asc, 90 % in)', path: link },
    { name: `search q=${word} (1 % of titles)`, path: `/api/tickets?q=${word}` },
  ];
}

async function measure(market: Market, list: Probe[], seconds: number): Promise<ProbeFigures[]> {
  const results: ProbeFigures[] = [];
  for (const probe of list) {
    const url = new URL(probe.path, market.stack.url).toString();
    const options = { url, connections: CONNECTIONS, maxSeconds: seconds + 5 };
    await runLoad({ ...options, seconds: 1 });
    const meter = await meterCpu(market.cpuSources);
    const result = await runLoad({ ...options, seconds });
    const cpu = cpuPerRequest(await meter.stop(), result.responses);
    const latencies = result.latenciesByStatus.get(200) ?? [];
    if (latencies.length !== result.responses || result.errors) throw new Error(`${probe.name}: ${result.responses - latencies.length} non-200 answers, ${result.errors} errors`);
    results.push({ name: probe.name, latencies, latency: result.latency, cpu });
  }
  return results;
}
