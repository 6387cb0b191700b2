import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { namespaceNames } from '@microtick/local';
import type { Baseline } from './baseline';
import { settled } from '@microtick/local';
import { eventFlow, SETTLE_MS, type Market } from './bench-stack';
import { cpuPerRequest, meterCpu } from './cpu-usage';
import { runLoad, statusCounts } from './load';
import { buyerFor, createTickets, waitUntilReplicated } from './marketplace';
import type { ResultRow } from './report';

export const BACKLOG_TARGET_PER_SECOND = 1_000;

type Consumer = 'orders' | 'tickets' | 'payments' | 'expiration';

/**
 * Backlog catch-up per consuming service, as after an outage: the service is frozen (SIGSTOP of
 * its process group, as a hung node), `count` events for it pile up in its consumers, and from
 * SIGCONT the time until its consumers have nothing pending or unacknowledged gives events/s.
 * orders: `ticket:created` (tickets listed while it is frozen). tickets, payments, expiration:
 * `order:created` (orders placed while the three are frozen), resumed one at a time so each has
 * the machine to itself. Baseline: the replica's INSERT over HTTP, back to back at 20 connections.
 * Runs last on the first stack: the orders it places stay pending.
 */
export async function backlogCatchUp(market: Market, baseline: Baseline, count: number): Promise<ResultRow[]> {
  await settled(eventFlow(market), SETTLE_MS);
  const rows: ResultRow[] = [];

  let ticketIds: string[];
  try {
    freeze(market, ['orders']);
    console.log(`  orders frozen; listing ${count} tickets…`);
    ticketIds = await createTickets(market.stack.url, market.seller, count);
    await outboxEmpty(market, 'tickets');
  } catch (err) {
    signal(market, 'orders', 'SIGCONT');
    throw err;
  }
  const orders = await resumeAndTime(market, 'orders');
  rows.push(row('orders (ticket:created)', orders, count));
  await waitUntilReplicated(market.db.orders, ticketIds);
  await settled(eventFlow(market), SETTLE_MS);

  const consumers: Consumer[] = ['tickets', 'payments', 'expiration'];
  freeze(market, consumers);
  console.log(`  tickets, payments and expiration frozen; placing ${count} orders…`);
  const placed = await runLoad({
    url: `${market.stack.url}/api/orders`,
    method: 'POST',
    connections: 20,
    amount: count,
    maxSeconds: 60 + count / 20,
    request: (index) => ({
      headers: { 'content-type': 'application/json', cookie: buyerFor(market.buyers, index).cookie },
      body: JSON.stringify({ ticketId: ticketIds[index] }),
    }),
  });
  const created = placed.latenciesByStatus.get(201)?.length ?? 0;
  console.log(`  orders placed: ${statusCounts(placed)}`);
  try {
    await outboxEmpty(market, 'orders');
  } catch (err) {
    for (const service of consumers) signal(market, service, 'SIGCONT');
    throw err;
  }
  for (const service of consumers) {
    const timing = await resumeAndTime(market, service);
    rows.push(row(`${service} (order:created)`, timing, created));
  }
  await settled(eventFlow(market), SETTLE_MS);

  const base = await runLoad({
    url: `${baseline.url}/replica-tickets`,
    method: 'POST',
    connections: 20,
    amount: count,
    maxSeconds: 60 + count / 20,
    request: () => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), title: 'Bench ticket', priceCents: 1099, userId: randomUUID() }),
    }),
  });
  for (const r of rows) r.baseline = `${Math.round(base.throughput).toLocaleString('en-US')} rows/s (the replica INSERT over HTTP, 20 connections)`;
  return rows;
}

interface CatchUp {
  /** Events waiting for the service's consumers when it resumed. */
  waiting: number;
  ms: number;
  /** CPU ms per event of every process and the stack's Postgres backends while it caught up. */
  cpu: string;
}

function row(what: string, timing: CatchUp, expected: number): ResultRow {
  const rate = timing.waiting / (timing.ms / 1000);
  return {
    measure: `9. Backlog catch-up, ${what}: ${timing.waiting} events waiting (${expected} made) after a freeze, caught up in ${(timing.ms / 1000).toFixed(1)} s`,
    microtick: `${Math.round(rate).toLocaleString('en-US')} events/s; CPU per event ${timing.cpu}`,
    baseline: '',
    target: `≥ ${BACKLOG_TARGET_PER_SECOND.toLocaleString('en-US')} events/s`,
    met: rate >= BACKLOG_TARGET_PER_SECOND,
  };
}

function freeze(market: Market, services: readonly Consumer[]): void {
  for (const service of services) signal(market, service, 'SIGSTOP');
}

/** Waits until `service`'s relay has put everything it staged on the bus. */
async function outboxEmpty(market: Market, service: 'tickets' | 'orders'): Promise<void> {
  const deadline = performance.now() + 120_000;
  while ((await market.db[service].query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]?.n) {
    if (performance.now() > deadline) throw new Error(`${service}'s outbox not empty after 120 s`);
    await sleep(50);
  }
}

function signal(market: Market, service: Consumer, sig: NodeJS.Signals): void {
  for (const instance of market.stack.services[service] ?? []) if (instance.pid) process.kill(-instance.pid, sig);
}

/** Events waiting for `service`'s durable consumers (not yet acknowledged). */
async function waitingFor(market: Market, service: Consumer): Promise<number> {
  const jsm = await jetstreamManager(market.nats);
  let waiting = 0;
  for await (const info of jsm.consumers.list(namespaceNames(market.stack.namespace).stream)) {
    if (info.name.startsWith(`${service}-`)) waiting += info.num_pending + info.num_ack_pending;
  }
  return waiting;
}

/** Resumes `service` and polls its consumers every 20 ms until nothing waits for them. */
async function resumeAndTime(market: Market, service: Consumer): Promise<CatchUp> {
  const waiting = await waitingFor(market, service);
  const meter = await meterCpu(market.cpuSources);
  signal(market, service, 'SIGCONT');
  const resumedAt = performance.now();
  for (;;) {
    if ((await waitingFor(market, service)) === 0) {
      const ms = performance.now() - resumedAt;
      return { waiting, ms, cpu: cpuPerRequest(await meter.stop(), waiting).text };
    }
    if (performance.now() - resumedAt > 300_000) throw new Error(`${service} not caught up 5 minutes after resuming`);
    await sleep(20);
  }
}
