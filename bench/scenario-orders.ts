import { seedReplicaTickets, type Baseline } from './baseline';
import { settled } from '@microtick/local';
import { eventFlow, SETTLE_MS, type Market } from './bench-stack';
import { cpuPerRequest, meterCpu, type CpuSources } from './cpu-usage';
import { runLoad, statusCounts, type LoadResult } from './load';
import { buyerFor, createTickets, waitUntilReplicated, type Session } from './marketplace';
import type { ResultRow } from './report';
import { ms, p50p99, perSecond } from './stats';

/** Issue 16 (the earlier 0.5× and 100 ms were before the payment decision and the perimeter). */
export const ORDERS_TARGET_RATIO = 0.3;
export const ORDERS_TARGET_P99_MS = 150;
/** Orders placed before measuring, so both sides run warm (JIT, connection pools). */
const WARM_UP_ORDERS = 300;

/**
 * POST /api/orders through the gateway at `connections` connections, every request for a
 * fresh ticket that orders already knows, from buyers in turn; vs the baseline's INSERT of an
 * order row for a fresh ticket of its own replica. `count` orders are measured on each side,
 * with the CPU time every process spent on them — for MicroTick until every event they caused
 * has been handled.
 */
export async function placeOrders(market: Market, baseline: Baseline, count: number, connections: number): Promise<ResultRow[]> {
  console.log(`  listing ${count + WARM_UP_ORDERS} tickets to order…`);
  const ticketIds = await createTickets(market.stack.url, market.seller, count + WARM_UP_ORDERS);
  await waitUntilReplicated(market.db.orders, ticketIds);
  await settled(eventFlow(market), SETTLE_MS);
  const system = await orderEach(
    `${market.stack.url}/api/orders`,
    ticketIds,
    { connections, buyers: market.buyers, cpuSources: market.cpuSources, settle: () => settled(eventFlow(market), SETTLE_MS) },
    (ticketId, buyer) => ({ headers: { 'content-type': 'application/json', cookie: buyer.cookie }, body: JSON.stringify({ ticketId }) }),
  );
  const baseIds = await seedReplicaTickets(baseline, count + WARM_UP_ORDERS);
  const base = await orderEach(
    `${baseline.url}/orders`,
    baseIds,
    { connections, buyers: market.buyers, cpuSources: baseline.cpuSources, settle: async () => 0 },
    (ticketId, buyer) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticketId, userId: buyer.id }) }),
  );
  console.log(`  orders: MicroTick ${statusCounts(system.load)}, ${system.load.errors} errors; baseline ${statusCounts(base.load)}, ${base.load.errors} errors`);

  const ratio = system.load.throughput / base.load.throughput;
  const clean = system.load.latenciesByStatus.get(201)?.length === count && system.load.errors === 0;
  const systemCpu = cpuPerRequest(system.cpu, count);
  const baseCpu = cpuPerRequest(base.cpu, count);
  return [
    {
      measure: `1. POST /api/orders throughput (${connections} connections, ${count} orders${clean ? '' : `; ${statusCounts(system.load)}`})`,
      microtick: perSecond(system.load.throughput),
      baseline: perSecond(base.load.throughput),
      ratio,
      target: `≥ ${ORDERS_TARGET_RATIO}× baseline`,
      met: clean && ratio >= ORDERS_TARGET_RATIO,
    },
    {
      measure: '1. POST /api/orders latency p50 / p99',
      microtick: p50p99(system.load.latency),
      baseline: p50p99(base.load.latency),
      ratio: system.load.latency.p99 / base.load.latency.p99,
      target: `p99 < ${ORDERS_TARGET_P99_MS} ms`,
      met: system.load.latency.p99 < ORDERS_TARGET_P99_MS,
    },
    {
      measure: `1. … CPU time per order, by process (MicroTick: until the events settled, ${ms(system.settledMs)} after the last answer)`,
      microtick: systemCpu.text,
      baseline: baseCpu.text,
      ratio: systemCpu.total / baseCpu.total,
      target: '',
    },
  ];
}

interface OrderRun {
  load: LoadResult;
  /** CPU ms by process, from the first measured order until `settle` returned. */
  cpu: Map<string, number>;
  settledMs: number;
}

/** A warm-up, then one order per remaining ticket id, buyers taking turns. */
async function orderEach(
  url: string,
  ticketIds: readonly string[],
  options: { connections: number; buyers: readonly Session[]; cpuSources: CpuSources; settle: () => Promise<number> },
  request: (ticketId: string, buyer: Session) => { headers: Record<string, string>; body: string },
): Promise<OrderRun> {
  const run = (ids: readonly string[]) =>
    runLoad({
      url,
      method: 'POST',
      connections: options.connections,
      amount: ids.length,
      maxSeconds: 60,
      request: (index) => request(ids[index] as string, buyerFor(options.buyers, index)),
    });
  await run(ticketIds.slice(0, WARM_UP_ORDERS));
  await options.settle();
  const meter = await meterCpu(options.cpuSources);
  const load = await run(ticketIds.slice(WARM_UP_ORDERS));
  const settledMs = await options.settle();
  return { load, cpu: await meter.stop(), settledMs };
}
