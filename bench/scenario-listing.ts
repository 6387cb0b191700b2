import { copyTickets, type Baseline } from './baseline';
import { serviceUrl, type Market } from './bench-stack';
import { cpuPerRequest, meterCpu, type CpuSources } from './cpu-usage';
import { runLoad, statusCounts, type LoadOptions } from './load';
import { createTickets } from './marketplace';
import type { ResultRow } from './report';
import { p50p99, perSecond } from './stats';

/** Issue 16. */
export const LISTING_TARGET_RATIO = 0.7;
/** Tickets for sale during the run: enough that the first page is a real index walk. */
const MIN_TICKETS_FOR_SALE = 1_000;

/**
 * GET /api/tickets (first page of 50) through the gateway at `connections` connections for
 * `seconds`, after a short warm-up, vs the baseline's SELECT over a copy of the same rows.
 * Every request asks for the same URL and no ticket changes during the run, so tickets answers
 * it from its listing cache (tickets/src/listing/listing-cache.ts) after the first request: the
 * figure is the cached path's. The same load on page 2 by its cursor (the next page's `Link`, a
 * statement of the same shape — an index walk of 51 rows — that the cache never keeps) gives
 * the path that reads Postgres for every request, for readers to see both.
 */
export async function listing(market: Market, baseline: Baseline, connections: number, seconds: number): Promise<ResultRow[]> {
  const forSale = (await market.db.tickets.query<{ n: number }>('select count(*)::int as n from tickets where order_id is null')).rows[0]?.n ?? 0;
  if (forSale < MIN_TICKETS_FOR_SALE) await createTickets(market.stack.url, market.seller, MIN_TICKETS_FOR_SALE - forSale);
  await market.db.tickets.query('analyze tickets');
  const rows = await copyTickets(market.db.tickets, baseline);

  const load = async (url: string, cpuSources: CpuSources) => {
    const options: LoadOptions = { url, connections, maxSeconds: seconds + 5 };
    await runLoad({ ...options, seconds: 2 });
    const meter = await meterCpu(cpuSources);
    const result = await runLoad({ ...options, seconds });
    return { ...result, cpu: cpuPerRequest(await meter.stop(), result.responses) };
  };
  const system = await load(`${market.stack.url}/api/tickets`, market.cpuSources);
  const direct = await load(`${serviceUrl(market, 'tickets')}/api/tickets`, market.cpuSources);
  const uncached = await load(`${market.stack.url}${await nextPagePath(`${market.stack.url}/api/tickets`)}`, market.cpuSources);
  const base = await load(`${baseline.url}/tickets`, baseline.cpuSources);
  console.log(`  listing over ${rows} tickets: MicroTick ${statusCounts(system)}, ${system.errors} errors; baseline ${statusCounts(base)}, ${base.errors} errors`);
  const ratio = system.throughput / base.throughput;
  const clean = system.latenciesByStatus.get(200)?.length === system.responses && system.errors === 0;
  return [
    {
      measure: `2. GET /api/tickets throughput (${connections} connections, ${seconds} s, ${rows} tickets)`,
      microtick: perSecond(system.throughput),
      baseline: perSecond(base.throughput),
      ratio,
      target: `≥ ${LISTING_TARGET_RATIO}× baseline`,
      met: clean && ratio >= LISTING_TARGET_RATIO,
    },
    { measure: '2. GET /api/tickets latency p50 / p99', microtick: p50p99(system.latency), baseline: p50p99(base.latency), target: '' },
    {
      measure: '2. … CPU time per listing request, by process',
      microtick: system.cpu.text,
      baseline: base.cpu.text,
      ratio: system.cpu.total / base.cpu.total,
      target: '',
    },
    {
      measure: '2. … the same, straight to the tickets service (no gateway): throughput, p50 / p99, CPU per request',
      microtick: `${perSecond(direct.throughput)}, ${p50p99(direct.latency)}, ${direct.cpu.text}`,
      baseline: '',
      ratio: direct.throughput / base.throughput,
      target: '',
    },
    {
      measure: '2. … uncached: page 2 by its cursor via the gateway (read from Postgres every time): throughput, p50 / p99, CPU per request',
      microtick: `${perSecond(uncached.throughput)}, ${p50p99(uncached.latency)}, ${uncached.cpu.text}`,
      baseline: '',
      ratio: uncached.throughput / base.throughput,
      target: '',
    },
  ];
}

/** The path and query of the page after `url`'s, from its `Link: <…>; rel="next"` header. */
async function nextPagePath(url: string): Promise<string> {
  const link = (await fetch(url)).headers.get('link');
  const path = link?.match(/^<([^>]+)>; rel="next"$/)?.[1];
  if (!path) throw new Error(`no next page after ${url} (Link: ${link})`);
  return path;
}
