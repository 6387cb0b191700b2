import { copyTickets, type Baseline } from './baseline';
import type { BenchStack } from './bench-stack';
import { runLoad, statusCounts, type LoadOptions } from './load';
import { createTickets } from './marketplace';
import type { ResultRow } from './report';
import { p50p99, perSecond } from './stats';

export const LISTING_TARGET_RATIO = 0.6;
/** Tickets for sale during the run: enough that the first page is a real index walk. */
const MIN_TICKETS_FOR_SALE = 1_000;

/**
 * GET /api/tickets (first page of 50) through the gateway at `connections` connections for
 * `seconds`, after a short warm-up, vs the baseline's SELECT over a copy of the same rows.
 */
export async function listing(bench: BenchStack, baseline: Baseline, connections: number, seconds: number): Promise<ResultRow[]> {
  const forSale = (await bench.db.tickets.query<{ n: number }>('select count(*)::int as n from tickets where order_id is null')).rows[0]?.n ?? 0;
  if (forSale < MIN_TICKETS_FOR_SALE) await createTickets(bench.stack.url, bench.seller, MIN_TICKETS_FOR_SALE - forSale);
  await bench.db.tickets.query('analyze tickets');
  const rows = await copyTickets(bench.db.tickets, baseline);

  const load = async (url: string) => {
    const options: LoadOptions = { url, connections, maxSeconds: seconds + 5 };
    await runLoad({ ...options, seconds: 2 });
    return runLoad({ ...options, seconds });
  };
  const system = await load(`${bench.stack.url}/api/tickets`);
  const base = await load(`${baseline.url}/tickets`);
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
  ];
}
