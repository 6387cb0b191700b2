import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Baseline } from './baseline';
import { subjectFor, type EventEnvelope } from '@microtick/common';
import { namespaceNames } from '@microtick/local';
import type { Market } from './bench-stack';
import { runLoad, statusCounts } from './load';
import { createTickets } from './marketplace';
import type { ResultRow } from './report';
import { now, watchRows } from './row-watch';
import { p50p99, summarize } from './stats';

export const LAG_TARGET_P99_MS = 40;
const WARM_UP_SECONDS = 2;

/**
 * `ticket:created` → orders replica row: after a short warm-up at `rate`, tickets are listed
 * through the gateway at `rate` per second for `seconds`; for each, the lag is from the commit of the ticket in the tickets
 * database (its outbox row commits with it) to the commit of its replica row in the orders
 * database, both seen through NOTIFY triggers (row-watch.ts). Baseline: the replica's INSERT
 * done by the baseline server over HTTP at the same rate.
 */
export async function eventLag(market: Market, baseline: Baseline, rate: number, seconds: number): Promise<ResultRow[]> {
  const count = rate * seconds;
  // Not measured: the first events after the stack starts run cold code (V8 has not compiled it
  // yet) on fresh Postgres sessions (empty catalogue caches). Measured cold, the 20/s figure
  // came out ~1.8× the same taken after the 200/s run (p50 184 vs 106 ms, load ~9).
  await replicationLags(market, rate, WARM_UP_SECONDS);
  // The same at a tenth of the rate first: the pipeline's own latency, without queueing for CPU.
  const floor = await replicationLags(market, rate / 10, seconds / 2);
  const loaded = await replicationLags(market, rate, seconds);
  const lag = summarize(loaded.total);

  const base = await runLoad({
    url: `${baseline.url}/replica-tickets`,
    method: 'POST',
    connections: 20,
    amount: count,
    overallRate: rate,
    maxSeconds: seconds * 3,
    request: () => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), title: 'Bench ticket', priceCents: 1099, userId: randomUUID() }),
    }),
  });
  console.log(`  baseline replica INSERTs: ${statusCounts(base)}`);
  return [
    {
      measure: `3. Lag ticket:created → orders replica row, p50 / p99 (${rate}/s for ${seconds} s; ${lag.n} of ${count} arrived)`,
      microtick: p50p99(lag),
      baseline: `${p50p99(base.latency)} (the replica INSERT over HTTP at ${rate}/s)`,
      target: `p99 ≤ ${LAG_TARGET_P99_MS} ms`,
      met: lag.n === count && lag.p99 <= LAG_TARGET_P99_MS,
    },
    {
      measure: `3. … of which commit → on the bus (outbox relay) / on the bus → replica row (consumer), p50 / p99`,
      microtick: `${p50p99(summarize(loaded.relay))} / ${p50p99(summarize(loaded.consumer))}`,
      baseline: '',
      target: '',
    },
    {
      measure: `3. … the same at ${rate / 10}/s for ${seconds / 2} s (no queueing for CPU): total; relay / consumer`,
      microtick: `${p50p99(summarize(floor.total))}; ${p50p99(summarize(floor.relay))} / ${p50p99(summarize(floor.consumer))}`,
      baseline: '',
      target: '',
    },
  ];
}

interface Lags {
  /** Tickets' commit → orders' replica commit. */
  total: number[];
  /** Tickets' commit → the event seen on the bus. */
  relay: number[];
  /** The event seen on the bus → orders' replica commit. */
  consumer: number[];
}

/**
 * Lists `rate × seconds` tickets at `rate` per second and times each one's way from tickets'
 * commit to orders' replica commit, split where the event appears on the bus (a plain NATS
 * subscription on the stream's subject sees each JetStream publish).
 */
async function replicationLags(market: Market, rate: number, seconds: number): Promise<Lags> {
  const committed = await watchRows(market.db.tickets, { name: 'ticket_listed', table: 'tickets', event: 'insert' });
  const replicated = await watchRows(market.db.orders, { name: 'ticket_replicated', table: 'tickets_replica', event: 'insert' });
  const published = new Map<string, number>();
  const subscription = market.nats.subscribe(subjectFor('ticket:created', namespaceNames(market.stack.namespace).subjectPrefix), {
    callback: (_err, msg) => {
      published.set(msg.json<EventEnvelope<'ticket:created'>>().data.id, now());
    },
  });
  let ids: string[];
  try {
    ids = await createTickets(market.stack.url, market.seller, rate * seconds, { ratePerSecond: rate });
    const deadline = Date.now() + 30_000;
    while (ids.some((id) => !replicated.seen.has(id) || !committed.seen.has(id)) && Date.now() < deadline) await sleep(20);
  } finally {
    subscription.unsubscribe();
    await committed.stop();
    await replicated.stop();
  }
  const between = (from: Map<string, number>, to: Map<string, number>) =>
    ids.flatMap((id) => {
      const start = from.get(id);
      const end = to.get(id);
      return start === undefined || end === undefined ? [] : [end - start];
    });
  return { total: between(committed.seen, replicated.seen), relay: between(committed.seen, published), consumer: between(published, replicated.seen) };
}
