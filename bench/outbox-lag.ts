/**
 * Outbox publish lag: time from a transaction's commit to a subscriber receiving its event,
 * at a steady rate, next to a baseline measured in the same run (publishing straight to
 * JetStream, no database). Target: p99 ≤ 20 ms at 200 events/s.
 *
 *   npm run bench:outbox -- [--rate 200] [--seconds 10]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { addToOutbox, OutboxRelay, type EventEnvelope } from '@microtick/common';
import { createTestDatabase, createTestEventBus, PG_URL, type AnyDb } from '@microtick/common/testing';
import pg from 'pg';
import path from 'node:path';
import pino from 'pino';
import { meterCpu } from './cpu-usage';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (lags: number[]) => {
  const sorted = [...lags].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
};
const ticket = () => ({ id: randomUUID(), version: 0, title: 'Bench', price: 10, userId: randomUUID(), orderId: null });

/** Sends `rate` events per second for `seconds`, each through `send`, and returns the lags seen by a subscriber. */
async function measure(
  label: string,
  send: (markSent: (id: string) => void) => Promise<void>,
  bus: Awaited<ReturnType<typeof createTestEventBus>>,
  database: Awaited<ReturnType<typeof createTestDatabase>>,
) {
  // The subscriber can see an event before `send` resumes after its commit (same process), so
  // both times are recorded and matched at the end; such an event counts as zero lag.
  const sentAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const sub = bus.nc.subscribe(bus.subjectFor('ticket:updated'), {
    callback: (_err, msg) => {
      receivedAt.set(msg.json<EventEnvelope>().id, performance.now());
    },
  });
  const total = rate * seconds;
  // CPU of this process (writers, relay, subscriber) and of the database's Postgres backends.
  const postgres = await meterCpu({ processes: () => new Map(), postgres: { label: 'postgres', pool: database.pool, databases: [new URL(database.url).pathname.slice(1)] } });
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    void send((id) => sentAt.set(id, performance.now()));
  }
  const deadline = Date.now() + 10_000;
  while (receivedAt.size < total && Date.now() < deadline) await sleep(20);
  const used = process.cpuUsage(cpu);
  const backends = (await postgres.stop()).get('postgres') ?? 0;
  sub.unsubscribe();
  const lags = [...sentAt].flatMap(([id, sent]) => {
    const received = receivedAt.get(id);
    return received === undefined ? [] : [Math.max(0, received - sent)];
  });
  const result = summary(lags);
  console.log(
    `${label.padEnd(34)} n=${result.n}/${total}  p50=${result.p50.toFixed(2)} ms  p99=${result.p99.toFixed(2)} ms  max=${result.max.toFixed(2)} ms  ` +
      `CPU per event ${((used.user + used.system) / 1000 / total).toFixed(3)} ms (postgres ${(backends / total).toFixed(3)} ms)`,
  );
  return result;
}

async function main() {
  // Run with tsx from bench/ or compiled from bench/dist/; a database of this process's own (A/B runs at once).
  const root = path.basename(__dirname) === 'dist' ? '../..' : '..';
  const database = await createTestDatabase({ name: `bench_outbox_${process.pid}`, migrationsFolder: path.join(__dirname, root, 'common/src/testing/fixture-migrations') });
  await database.truncate();
  const bus = await createTestEventBus('bench');
  const db = database.db as unknown as AnyDb;
  const relay = new OutboxRelay({ pool: database.pool, bus, logger: pino({ level: 'warn' }) });
  await relay.start();
  console.log(`outbox publish lag at ${rate} events/s for ${seconds} s (commit → subscriber)`);
  try {
    const baseline = await measure('baseline: direct JetStream publish', async (mark) => {
      const envelope = { id: randomUUID(), type: 'ticket:updated', occurredAt: new Date().toISOString(), data: ticket() };
      mark(envelope.id);
      await bus.js.publish(bus.subjectFor('ticket:updated'), JSON.stringify(envelope), { msgID: envelope.id });
    }, bus, database);
    const outbox = await measure('outbox: commit → relay → JetStream', async (mark) => {
      let id = '';
      await db.transaction(async (tx) => {
        id = (await addToOutbox(tx, 'ticket:updated', ticket())).id;
      });
      mark(id);
    }, bus, database);
    console.log(`outbox p99 / baseline p99 = ${(outbox.p99 / baseline.p99).toFixed(1)}×; target p99 ≤ 20 ms: ${outbox.p99 <= 20 ? 'met' : 'MISSED'}`);
  } finally {
    await relay.stop();
    await bus.destroy();
    await database.close();
    const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(new URL(database.url).pathname.slice(1))}`);
    await admin.end();
  }
}

void main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
