import { seedReplicaTickets, type Baseline } from './baseline';
import { settled } from '@microtick/local';
import { eventFlow, SETTLE_MS, type Market } from './bench-stack';
import { runLoad, statusCounts, type LoadResult } from './load';
import { buyerFor, createTickets, waitUntilReplicated, type Session } from './marketplace';
import type { ResultRow } from './report';
import { p50p99, summarize } from './stats';

export const FLASH_SALE_BUYERS = 500;

/**
 * A flash sale, `rounds` times: one ticket, 500 order requests sent at once over 500
 * connections by the buyers in turn (50 buyers → 10 requests each). Exactly one may succeed;
 * the other 499 are refused, and their latency is what a crowd sees. The baseline races 500
 * INSERTs for one ticket against the same partial unique index.
 */
export async function flashSale(market: Market, baseline: Baseline, rounds: number): Promise<ResultRow[]> {
  const system: LoadResult[] = [];
  const base: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const [ticketId] = await createTickets(market.stack.url, market.seller, 1);
    await waitUntilReplicated(market.db.orders, [ticketId as string]);
    await settled(eventFlow(market), SETTLE_MS);
    system.push(await rush(`${market.stack.url}/api/orders`, market.buyers, (buyer) => ({ headers: { cookie: buyer.cookie }, body: JSON.stringify({ ticketId }) })));
    const [baseTicketId] = await seedReplicaTickets(baseline, 1);
    base.push(await rush(`${baseline.url}/orders`, market.buyers, (buyer) => ({ headers: {}, body: JSON.stringify({ ticketId: baseTicketId, userId: buyer.id }) })));
    console.log(`  flash sale round ${round + 1}: MicroTick ${statusCounts(system[round] as LoadResult)}; baseline ${statusCounts(base[round] as LoadResult)}`);
  }
  const isClean = (result: LoadResult) => result.latenciesByStatus.get(201)?.length === 1 && result.latenciesByStatus.get(400)?.length === FLASH_SALE_BUYERS - 1 && result.errors === 0;
  // A round with anything but one 201 and 499 400s shows all its answers.
  const successes = (results: LoadResult[]) =>
    results.map((result) => `${result.latenciesByStatus.get(201)?.length ?? 0}${isClean(result) ? '' : ` (${statusCounts(result)}, ${result.errors} errors)`}`);
  const refusals = (results: LoadResult[]) => summarize(results.flatMap((result) => result.latenciesByStatus.get(400) ?? []));
  const systemRefusals = refusals(system);
  const baseRefusals = refusals(base);
  return [
    {
      measure: `4. Flash sale: successes per round (${FLASH_SALE_BUYERS} concurrent buyers, 1 ticket, ${rounds} rounds)`,
      microtick: successes(system).join(', '),
      baseline: successes(base).join(', '),
      target: 'exactly 1, 499 refused (400)',
      met: system.every(isClean),
      guarantee: true,
    },
    {
      measure: `4. Flash sale: latency of the ${systemRefusals.n} refusals, p50 / p99`,
      microtick: p50p99(systemRefusals),
      baseline: p50p99(baseRefusals),
      ratio: systemRefusals.p99 / baseRefusals.p99,
      target: '',
    },
  ];
}

/** 500 order requests at once, one per connection, buyers taking turns. */
const rush = (url: string, buyers: readonly Session[], request: (buyer: Session) => { headers: Record<string, string>; body: string }) =>
  runLoad({
    url,
    method: 'POST',
    connections: FLASH_SALE_BUYERS,
    amount: FLASH_SALE_BUYERS,
    maxSeconds: 30,
    request: (index) => {
      const { headers, body } = request(buyerFor(buyers, index));
      return { headers: { 'content-type': 'application/json', ...headers }, body };
    },
  });
