import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Baseline } from './baseline';
import { subjectFor, type EventEnvelope } from '@microtick/common';
import { namespaceNames } from '@microtick/local';
import type { Market } from './bench-stack';
import { runLoad, statusCounts, type LoadResult } from './load';
import { createTickets } from './marketplace';
import type { ResultRow } from './report';
import { now, watchRows } from './row-watch';
import { p50p99, summarize } from './stats';

export const LAG_TARGET_P99_MS = 40;
const WARM_UP_SECONDS = 2;

/**
 * `ticket:created` → orders replica row: after a short warm-up at `rate`, tickets are listed
 * through the gateway at `rate` per second for `seconds` (evenly spaced: see `pacing`); for each, the lag is from the commit of the ticket in the tickets
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

  const base = await send(`${baseline.url}/replica-tickets`, count, rate, () => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), title: 'Bench ticket', priceCents: 1099, userId: randomUUID() }),
  }));
  console.log(`  baseline replica INSERTs: ${statusCounts(base)}`);
  return [
    {
      measure: `3. Lag ticket:created → orders replica row, p50 / p99 (${rate}/s for ${seconds} s, ${pacing() === 'steady' ? 'evenly spaced' : 'in bursts'}; ${lag.n} of ${count} arrived)`,
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
    ids = await listTickets(market, rate * seconds, rate);
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

/**
 * How requests are spread over each second. `steady` (default): one every 1/rate s, each sent at
 * its time whatever the answers before it (an open loop, like independent sellers). `bursts`
 * (PACING=bursts, the figure before wave 7): autocannon's `overallRate`, which lets each of its 20
 * connections send its share of a second back to back when its one-second tick comes, so the
 * whole second's requests leave together (20 at once at 20/s, 200 at once at 200/s) and the lag
 * measured queueing behind the burst.
 */
const pacing = (): 'steady' | 'bursts' => (process.env.EVENT_LAG_PACING === 'bursts' ? 'bursts' : 'steady');

/** Lists `count` tickets as the seller at `rate` per second; their ids, in order. */
async function listTickets(market: Market, count: number, rate: number): Promise<string[]> {
  if (pacing() === 'bursts') return createTickets(market.stack.url, market.seller, count, { ratePerSecond: rate });
  const ids: (string | undefined)[] = new Array(count);
  const result = await send(
    `${market.stack.url}/api/tickets`,
    count,
    rate,
    (index) => ({
      headers: { 'content-type': 'application/json', cookie: market.seller.cookie },
      body: JSON.stringify({ title: `Bench ticket ${index}`, price: 10 + (index % 90) + 0.99 }),
    }),
    (index, status, body) => {
      if (status === 201) ids[index] = (JSON.parse(body) as { id: string }).id;
    },
  );
  const created = ids.filter((id): id is string => id !== undefined);
  if (created.length !== count) throw new Error(`listing ${count} tickets gave ${statusCounts(result)} and ${result.errors} errors`);
  return created;
}

/**
 * POSTs `count` requests to `url`, the n-th at n/rate seconds after the first (open loop: a slow
 * answer does not hold back the next request), over kept-alive connections; bounded to 3× the
 * planned duration plus 10 s. With PACING=bursts, autocannon's rate instead (see `pacing`).
 */
async function send(
  url: string,
  count: number,
  rate: number,
  request: (index: number) => { headers: Record<string, string>; body: string },
  onResponse?: (index: number, status: number, body: string) => void,
): Promise<LoadResult> {
  const maxSeconds = (count / rate) * 3 + 10;
  if (pacing() === 'bursts') return runLoad({ url, method: 'POST', connections: 20, amount: count, overallRate: rate, maxSeconds, request, onResponse });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latenciesByStatus = new Map<number, number[]>();
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const post = (index: number) =>
    new Promise<void>((resolve) => {
      const { headers, body } = request(index);
      const sentAt = performance.now();
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: Math.max(1, deadline - sentAt) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const latency = performance.now() - sentAt;
          latencies.push(latency);
          const status = res.statusCode ?? 0;
          latenciesByStatus.set(status, [...(latenciesByStatus.get(status) ?? []), latency]);
          onResponse?.(index, status, Buffer.concat(chunks).toString());
          resolve();
        });
        res.on('error', () => ((errors += 1), resolve()));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', () => ((errors += 1), resolve()));
      req.end(body);
    });
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  try {
    for (let index = 0; index < count && performance.now() < deadline; index++) {
      const wait = started + (index * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(post(index));
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { responses: latencies.length, throughput: latencies.length / seconds, latency: summarize(latencies), latenciesByStatus, errors, seconds, cutShort: performance.now() >= deadline };
}
