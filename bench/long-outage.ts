/**
 * Time to consistency after a long outage of orders, and the consumer's catch-up rate.
 *
 *   npm run bench:long-outage -- [--freeze-seconds 600] [--backlog 5000]
 *
 * On a throw-away stack (60 s payment window): 12 buyers each reserve a ticket; orders is frozen
 * (SIGSTOP, as a hung node or a stuck deploy); during the freeze 6 of them pay, the other 6
 * lapse (their `expiration:complete` is published), and `--backlog` more tickets are listed, so
 * orders' consumers have that many `ticket:created` waiting besides the payments and
 * expirations. When the freeze ends (SIGCONT) it measures until the system is consistent: every
 * event applied, orders' replica holds every ticket, the 6 paid orders complete, the 6 others
 * cancelled and their tickets back on sale in tickets, and no dead letter anywhere.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { namespaceNames } from '@microtick/local';
import { OUTPUT_DIR, startBenchStack } from './bench-stack';
import { createTickets, signUpUsers, waitUntilReplicated, type Session } from './marketplace';

const { values } = parseArgs({ options: { 'freeze-seconds': { type: 'string', default: '600' }, backlog: { type: 'string', default: '5000' } } });
const FREEZE_MS = Number(values['freeze-seconds']) * 1000;
const BACKLOG = Number(values.backlog);
const BUYERS = 12;

async function api<T>(baseUrl: string, session: Session, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: session.cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
}

async function main(): Promise<void> {
  const namespace = `bench_outage_${randomBytes(4).toString('hex')}`;
  const bench = await startBenchStack({ namespace, expirationWindowSeconds: 60 });
  const { stack, db } = bench;
  try {
    const [seller, ...buyers] = await signUpUsers(stack.url, BUYERS + 1);
    const ticketIds = await createTickets(stack.url, seller!, BUYERS);
    await waitUntilReplicated(db.orders, ticketIds);
    const orders: string[] = [];
    for (const [i, buyer] of buyers.entries()) {
      const placed = await api<{ id: string }>(stack.url, buyer, 'POST', '/api/orders', { ticketId: ticketIds[i] });
      if (placed.status !== 201) throw new Error(`order failed: ${placed.status}`);
      orders.push(placed.body.id);
    }
    // Payments needs its replica of the orders before the freeze (orders published them already).
    for (;;) {
      const { rows } = await db.payments.query<{ n: number }>('select count(*)::int as n from orders_replica where id = any($1::uuid[])', [orders]);
      if (rows[0]?.n === BUYERS) break;
      await sleep(100);
    }

    const ordersPid = stack.services.orders?.[0]?.pid;
    if (!ordersPid) throw new Error('orders is not running');
    process.kill(-ordersPid, 'SIGSTOP');
    const frozenAt = Date.now();
    console.log(`orders frozen for ${FREEZE_MS / 1000} s; paying 6 orders and listing ${BACKLOG} tickets meanwhile`);
    for (const [i, buyer] of buyers.slice(0, 6).entries()) {
      const paid = await api(stack.url, buyer, 'POST', '/api/payments', { orderId: orders[i], token: 'tok_visa' });
      if (paid.status !== 201) throw new Error(`payment failed: ${paid.status} ${JSON.stringify(paid.body)}`);
    }
    const backlogIds = await createTickets(stack.url, seller!, BACKLOG, { connections: 10 });
    const remaining = FREEZE_MS - (Date.now() - frozenAt);
    if (remaining > 0) await sleep(remaining);

    const jsm = await jetstreamManager(bench.nats);
    const stream = namespaceNames(namespace).stream;
    const ordersBacklog = async () => {
      let pending = 0;
      for await (const info of jsm.consumers.list(stream)) if (info.name.startsWith('orders-')) pending += info.num_pending + info.num_ack_pending;
      return pending;
    };
    const backlogAtResume = await ordersBacklog();
    process.kill(-ordersPid, 'SIGCONT');
    const resumedAt = Date.now();
    const frozenMs = resumedAt - frozenAt;
    console.log(`orders resumed after ${(frozenMs / 1000).toFixed(0)} s with ${backlogAtResume} events waiting for it`);

    let caughtUpAt: number | undefined;
    let consistentAt: number | undefined;
    const allTickets = [...ticketIds, ...backlogIds];
    while (!consistentAt) {
      if (Date.now() - resumedAt > 30 * 60_000) throw new Error('not consistent 30 minutes after the outage');
      if (!caughtUpAt && (await ordersBacklog()) === 0) caughtUpAt = Date.now();
      const replica = (await db.orders.query<{ n: number }>('select count(*)::int as n from tickets_replica where id = any($1::uuid[])', [allTickets])).rows[0]?.n;
      const statuses = (await db.orders.query<{ status: string; n: number }>('select status, count(*)::int as n from orders group by status')).rows;
      const released = (await db.tickets.query<{ n: number }>('select count(*)::int as n from tickets where id = any($1::uuid[]) and order_id is null', [ticketIds.slice(6)])).rows[0]?.n;
      const held = (await db.tickets.query<{ n: number }>('select count(*)::int as n from tickets where id = any($1::uuid[]) and order_id is not null', [ticketIds.slice(0, 6)])).rows[0]?.n;
      const count = (status: string) => statuses.find((s) => s.status === status)?.n ?? 0;
      if (caughtUpAt && replica === allTickets.length && count('complete') === 6 && count('cancelled') === 6 && released === 6 && held === 6) consistentAt = Date.now();
      else await sleep(50);
    }
    const deadLetters = await Promise.all(
      (['tickets', 'orders', 'payments'] as const).map(async (service) => (await db[service].query<{ n: number }>('select count(*)::int as n from dead_letters')).rows[0]?.n ?? 0),
    );
    const catchUpMs = (caughtUpAt ?? consistentAt) - resumedAt;
    const report = [
      `# Long outage of orders (${namespace}, ${new Date().toISOString()})`,
      '',
      `- orders frozen (SIGSTOP) for ${(frozenMs / 1000).toFixed(0)} s; during it 6 orders paid, 6 lapsed, ${BACKLOG} tickets listed`,
      `- events waiting for orders' consumers at resume: ${backlogAtResume}`,
      `- consumers caught up (no pending or unacknowledged event) ${(catchUpMs / 1000).toFixed(1)} s after resume: ${(backlogAtResume / (catchUpMs / 1000)).toFixed(0)} events/s`,
      `- consistent (replica complete, 6 complete + 6 cancelled, tickets released/held accordingly) ${((consistentAt - resumedAt) / 1000).toFixed(1)} s after resume`,
      `- dead letters (tickets, orders, payments): ${deadLetters.join(', ')}`,
    ].join('\n');
    console.log(report);
    writeFileSync(path.join(OUTPUT_DIR, `long-outage-${namespace}.md`), `${report}\n`);
    if (deadLetters.some((n) => n > 0)) process.exitCode = 1;
  } finally {
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
