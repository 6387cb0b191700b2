import { setTimeout as sleep } from 'node:timers/promises';
import { subjectFor, type EventEnvelope } from '@microtick/common';
import { namespaceNames } from '@microtick/local';
import { seedReservedTickets, type Baseline } from './baseline';
import { settled } from '@microtick/local';
import { eventFlow, SETTLE_MS, type Market } from './bench-stack';
import { runLoad, statusCounts } from './load';
import { buyerFor, createTickets, waitUntilReplicated } from './marketplace';
import type { ResultRow } from './report';
import { cpuPerRequest, meterCpu } from './cpu-usage';
import { now, watchRows } from './row-watch';
import { ms, p50p99, summarize } from './stats';

export const EXPIRY_TARGET_P99_MS = 300;

interface PlacedOrder {
  id: string;
  ticketId: string;
  expiresAt: number;
}

/**
 * `count` orders placed within one payment window of a stack started with a short one, then,
 * for each, the lateness of its ticket's release — the commit that sets the ticket's orderId
 * back to null in the tickets database (orderable again) — after its `expiresAt`. The timer's
 * firing (expiration:complete on the bus) and the order's cancellation in the orders database
 * are recorded too, to show where the time goes. Baseline: the release UPDATE of `count`
 * tickets, each sent to the baseline server at the moment one of MicroTick's orders fell due.
 */
export async function expiry(market: Market, baseline: Baseline, count: number, windowSeconds: number, placeRate?: number): Promise<ResultRow[]> {
  console.log(`  listing ${count} tickets to let expire…`);
  const ticketIds = await createTickets(market.stack.url, market.seller, count);
  await waitUntilReplicated(market.db.orders, ticketIds);
  await settled(eventFlow(market), SETTLE_MS);

  const released = await watchRows(market.db.tickets, { name: 'ticket_released', table: 'tickets', event: 'update of order_id', when: 'old.order_id is not null and new.order_id is null' });
  const cancelled = await watchRows(market.db.orders, { name: 'order_cancelled', table: 'orders', event: 'update of status', when: "new.status = 'cancelled'" });
  const { subjectPrefix } = namespaceNames(market.stack.namespace);
  const fired = new Map<string, number>();
  const subscription = market.nats.subscribe(subjectFor('expiration:complete', subjectPrefix), {
    callback: (_err, msg) => {
      fired.set(msg.json<EventEnvelope<'expiration:complete'>>().data.orderId, now());
    },
  });
  // order:cancelled on the bus splits cancelled → released into orders' relay and tickets' consumer.
  const announced = new Map<string, number>();
  const cancellations = market.nats.subscribe(subjectFor('order:cancelled', subjectPrefix), {
    callback: (_err, msg) => {
      announced.set(msg.json<EventEnvelope<'order:cancelled'>>().data.id, now());
    },
  });
  const orders: PlacedOrder[] = [];
  let cpu: Map<string, number> | undefined;
  let cpuSettledMs = 0;
  let meteredLateMs = 0;
  try {
    const placing = await runLoad({
      url: `${market.stack.url}/api/orders`,
      method: 'POST',
      connections: 50,
      amount: count,
      maxSeconds: windowSeconds,
      // Each second's orders leave together (autocannon's overallRate): bursts of `placeRate`.
      ...(placeRate === undefined ? {} : { overallRate: placeRate }),
      request: (index) => ({
        headers: { 'content-type': 'application/json', cookie: buyerFor(market.buyers, index).cookie },
        body: JSON.stringify({ ticketId: ticketIds[index] }),
      }),
      onResponse: (_index, status, body) => {
        if (status !== 201) return;
        const order = JSON.parse(body) as { id: string; expiresAt: string; ticket: { id: string } };
        orders.push({ id: order.id, ticketId: order.ticket.id, expiresAt: Date.parse(order.expiresAt) });
      },
    });
    console.log(`  placed ${statusCounts(placing)} in ${placing.seconds.toFixed(1)} s (window ${windowSeconds} s); waiting for them to lapse…`);
    // The placing cascade settles before the first order falls due (the window is 30 s), so the
    // CPU metered from then on is the expiries' alone: timer, cancellation, release and every
    // consumer of order:cancelled and ticket:updated. On a machine too busy to place them all
    // well within the window the two overlap, and the figure says so.
    const firstDue = Math.min(...orders.map((order) => order.expiresAt));
    if (Date.now() < firstDue - 1_000) await settled(eventFlow(market), Math.min(SETTLE_MS, firstDue - 1_000 - Date.now())).catch(() => undefined);
    if (Date.now() < firstDue - 200) await sleep(firstDue - 200 - Date.now());
    meteredLateMs = Math.max(0, Date.now() - firstDue);
    const meter = await meterCpu(market.cpuSources);
    const deadline = Math.max(...orders.map((order) => order.expiresAt)) + 60_000;
    while (orders.some((order) => !released.seen.has(order.ticketId)) && Date.now() < deadline) await sleep(100);
    const releasedAt = Date.now();
    await settled(eventFlow(market), SETTLE_MS);
    cpuSettledMs = Date.now() - releasedAt;
    cpu = await meter.stop();
  } finally {
    subscription.unsubscribe();
    cancellations.unsubscribe();
    await released.stop();
    await cancelled.stop();
  }
  const lateness = (seen: Map<string, number>, key: (order: PlacedOrder) => string) =>
    summarize(orders.flatMap((order) => {
      const at = seen.get(key(order));
      return at === undefined ? [] : [at - order.expiresAt];
    }));
  const release = lateness(released.seen, (order) => order.ticketId);
  // They fall due as fast as they were placed: a build that places them faster gets a denser
  // burst of expiries (more per second), so the span is part of the figure.
  const dueSpan = orders.length === 0 ? '–' : `${((Math.max(...orders.map((order) => order.expiresAt)) - Math.min(...orders.map((order) => order.expiresAt))) / 1000).toFixed(1)} s`;
  const firing = lateness(fired, (order) => order.id);
  const cancelling = lateness(cancelled.seen, (order) => order.id);
  const announcing = lateness(announced, (order) => order.id);
  const expiryCpu = !cpu ? '–' : `${cpuPerRequest(cpu, orders.length).text}${meteredLateMs > 0 ? ` (metered from ${ms(meteredLateMs)} after the first expiresAt: the placing overlapped the expiries)` : ''}`;

  // The baseline's burst of releases can time out on a saturated machine; that must not cost the figures above.
  const baseRelease = await releaseOnSchedule(baseline, orders.map((order) => order.expiresAt)).then(
    (lateness) => `${p50p99(summarize(lateness))} (the release UPDATE over HTTP, each sent when its order fell due)`,
    (err: unknown) => `– (the baseline's releases failed: ${(err as Error).message})`,
  );
  return [
    {
      measure: `5. ${count} orders expiring together: ticket released after expiresAt, p50 / p99 (${release.n} of ${count} released; falling due over ${dueSpan}, ${placeRate === undefined ? 'as fast as they were placed' : `placed ${placeRate}/s`})`,
      microtick: p50p99(release),
      baseline: baseRelease,
      target: `p99 ≤ ${EXPIRY_TARGET_P99_MS} ms`,
      met: release.n === count && orders.length === count && release.p99 <= EXPIRY_TARGET_P99_MS,
    },
    {
      measure: '5. … of which: timer fired (expiration:complete published) / order cancelled, p50 / p99',
      microtick: `${p50p99(firing)} / ${p50p99(cancelling)}; max release ${ms(release.max)}`,
      baseline: '',
      target: '',
    },
    {
      measure: '5. … order:cancelled on the bus (orders\' relay) after expiresAt, p50 / p99',
      microtick: p50p99(announcing),
      baseline: '',
      target: '',
    },
    {
      measure: `5. … CPU per expiry, by process (from the first expiresAt until every ticket was released and the events settled, ${ms(cpuSettledMs)} after the last release)`,
      microtick: expiryCpu,
      baseline: '',
      target: '',
    },
  ];
}

/**
 * The baseline's release UPDATE for as many reserved tickets as there are due times, each sent
 * on the same schedule as MicroTick's orders fell due (relative to the first); returns each
 * one's lateness, from when it was due until its answer.
 */
async function releaseOnSchedule(baseline: Baseline, dueTimes: readonly number[]): Promise<number[]> {
  const ids = await seedReservedTickets(baseline, dueTimes.length);
  const first = Math.min(...dueTimes);
  const startedAt = now();
  return Promise.all(
    dueTimes.map(async (due, i) => {
      const dueAt = startedAt + (due - first);
      await sleep(Math.max(0, dueAt - now()));
      const response = await fetch(`${baseline.url}/tickets/${ids[i]}/release`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      if (response.status !== 204) throw new Error(`baseline release answered ${response.status}`);
      return now() - dueAt;
    }),
  );
}
