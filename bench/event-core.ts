/**
 * The event core alone: CPU per delivered event of a ListenerRunner + PostgresListenerStore whose
 * handler is one prepared INSERT, draining a backlog on a private stream (nothing else in the
 * process while it is measured). Counts the socket writes per event (Postgres and NATS). For an
 * A/B, run it from two trees at the same moment; `--batch 1` is the trickle path (one
 * transaction per event), the default 20 the backlog path (shared transactions).
 *
 *   npm run bench:build && node bench/dist/event-core.js [--events 3000] [--batch 20] [--rounds 1]
 */
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { defineListener, ListenerRunner, PostgresListenerStore, sqlStatement } from '@microtick/common';
import pg from 'pg';
import { createTestDatabase, createTestEventBus, PG_URL, silentLogger } from '@microtick/common/testing';

const { values } = parseArgs({ options: { events: { type: 'string', default: '3000' }, batch: { type: 'string', default: '20' }, rounds: { type: 'string', default: '1' } } });
const events = Number(values.events);
const batchSize = Number(values.batch);

const insertItem = sqlStatement<[id: string]>('bench_event_core_insert', "insert into replica_items (id, title, version) values ($1, 'bench', 0)");

/** Socket writes (each one syscall) made while counting. */
const writes = (() => {
  const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  let count = 0;
  for (const method of ['_write', '_writev'] as const) {
    const original = socket[method];
    socket[method] = function (this: unknown, ...args: unknown[]) {
      count += 1;
      return original.apply(this, args);
    };
  }
  return () => count;
})();

async function round(): Promise<void> {
  // A database of this process's own (two trees run at once for an A/B), dropped at the end.
  process.env.MT_TEST_RUN ??= 'bench';
  const database = await createTestDatabase({ name: `event_core_${process.pid}`, migrationsFolder: path.join(__dirname, '../../common/src/testing/fixture-migrations') });
  const bus = await createTestEventBus('bench_event_core');
  try {
    await database.truncate();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < events; i++) {
      const data = { id: randomUUID(), version: 1, title: 'bench', price: 10, userId: randomUUID(), orderId: null };
      const envelope = { id: randomUUID(), type: 'ticket:updated', occurredAt: new Date().toISOString(), data };
      pending.push(bus.js.publish(bus.subjectFor('ticket:updated'), JSON.stringify(envelope), { msgID: envelope.id }));
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await database.pool.query('select 1');

    let handled = 0;
    let allHandled!: () => void;
    const done = new Promise<void>((resolve) => (allHandled = resolve));
    const listener = defineListener({
      event: 'ticket:updated',
      async handle(event, { tx }) {
        await insertItem.execute(tx, [event.data.id]);
        if ((handled += 1) === events) allHandled();
      },
    });
    const runner = new ListenerRunner({ service: `bench${process.pid}`, bus, store: new PostgresListenerStore(database.db), listeners: [listener], logger: silentLogger, batchSize });
    const [cpu, started, written] = [process.cpuUsage(), performance.now(), writes()];
    await runner.start();
    await done;
    const [used, ms, sockets] = [process.cpuUsage(cpu), performance.now() - started, writes() - written];
    await runner.stop();
    console.log(
      `batch ${batchSize}: ${events} events in ${(ms / 1000).toFixed(1)} s (${Math.round((events / ms) * 1000)}/s); ` +
        `CPU per event ${((used.user + used.system) / 1000 / events).toFixed(3)} ms; socket writes per event ${(sockets / events).toFixed(2)}`,
    );
  } finally {
    await bus.destroy();
    await database.close();
    const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(new URL(database.url).pathname.slice(1))}`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  for (let i = 0; i < Number(values.rounds); i++) await round();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
