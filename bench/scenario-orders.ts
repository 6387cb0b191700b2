import { seedReplicaTickets, type Baseline } from './baseline';
import { waitUntilSettled, type BenchStack } from './bench-stack';
import { runLoad, statusCounts, type LoadResult } from './load';
import { buyerFor, createTickets, waitUntilReplicated, type Session } from './marketplace';
import type { ResultRow } from './report';
import { ms, p50p99, perSecond } from './stats';

export const ORDERS_TARGET_RATIO = 0.5;
export const ORDERS_TARGET_P99_MS = 100;
/** Orders placed before measuring, so both sides run warm (JIT, connection pools). */
const WARM_UP_ORDERS = 300;

/**
 * POST /api/orders through the gateway at `connections` connections, every request for a
 * fresh ticket that orders already knows, from buyers in turn; vs the baseline's INSERT of an
 * order row for a fresh ticket of its own replica. `count` orders are measured on each side.
 */
export async function placeOrders(bench: BenchStack, baseline: Baseline, count: number, connections: number): Promise<ResultRow[]> {
  console.log(`  listing ${count + WARM_UP_ORDERS} tickets to order…`);
  const ticketIds = await createTickets(bench.stack.url, bench.seller, count + WARM_UP_ORDERS);
  await waitUntilReplicated(bench.db.orders, ticketIds);
  await waitUntilSettled(bench);
  const system = await orderEach(
    `${bench.stack.url}/api/orders`,
    ticketIds,
    { connections, buyers: bench.buyers, afterWarmUp: () => waitUntilSettled(bench) },
    (ticketId, buyer) => ({ headers: { 'content-type': 'application/json', cookie: buyer.cookie }, body: JSON.stringify({ ticketId }) }),
  );
  const settledMs = await waitUntilSettled(bench);

  const baseIds = await seedReplicaTickets(baseline, count + WARM_UP_ORDERS);
  const base = await orderEach(`${baseline.url}/orders`, baseIds, { connections, buyers: bench.buyers }, (ticketId, buyer) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticketId, userId: buyer.id }),
  }));
  console.log(`  orders: MicroTick ${statusCounts(system)}, ${system.errors} errors; baseline ${statusCounts(base)}, ${base.errors} errors`);

  const ratio = system.throughput / base.throughput;
  const clean = system.latenciesByStatus.get(201)?.length === count && system.errors === 0;
  return [
    {
      measure: `1. POST /api/orders throughput (${connections} connections, ${count} orders${clean ? '' : `; ${statusCounts(system)}`})`,
      microtick: perSecond(system.throughput),
      baseline: perSecond(base.throughput),
      ratio,
      target: `≥ ${ORDERS_TARGET_RATIO}× baseline`,
      met: clean && ratio >= ORDERS_TARGET_RATIO,
    },
    {
      measure: '1. POST /api/orders latency p50 / p99',
      microtick: p50p99(system.latency),
      baseline: p50p99(base.latency),
      ratio: system.latency.p99 / base.latency.p99,
      target: `p99 < ${ORDERS_TARGET_P99_MS} ms`,
      met: system.latency.p99 < ORDERS_TARGET_P99_MS,
    },
    {
      measure: '1. … until every event of those orders was handled (after the last answer)',
      microtick: ms(settledMs),
      baseline: '',
      target: '',
    },
  ];
}

/** A warm-up, then one order per ticket id, buyers taking turns; only the second run is returned. */
async function orderEach(
  url: string,
  ticketIds: readonly string[],
  { connections, buyers, afterWarmUp }: { connections: number; buyers: readonly Session[]; afterWarmUp?: () => Promise<unknown> },
  request: (ticketId: string, buyer: Session) => { headers: Record<string, string>; body: string },
): Promise<LoadResult> {
  const run = (ids: readonly string[]) =>
    runLoad({
      url,
      method: 'POST',
      connections,
      amount: ids.length,
      maxSeconds: 60,
      request: (index) => request(ids[index] as string, buyerFor(buyers, index)),
    });
  await run(ticketIds.slice(0, WARM_UP_ORDERS));
  await afterWarmUp?.();
  return run(ticketIds.slice(WARM_UP_ORDERS));
}
