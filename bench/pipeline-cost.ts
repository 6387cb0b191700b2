/**
 * What a write, a statement and a savepoint cost on this machine, in CPU time of the client (this
 * process) and of the Postgres backends serving it: the unit prices for valuing a change to the
 * purchase path without the whole stack, whose wall-clock figures and CPU per order swing with the
 * load of everything else on the machine. Raw pg in pipeline mode (as openDatabase sets it up),
 * 10 connections, each statement a prepared `select` of three parameters; the variants of a group
 * run in interleaved rounds (their order reversed every other round), so a change in the load
 * shifts them alike.
 *
 *   npm run bench:build && node bench/dist/pipeline-cost.js [--rounds 20] [--per-round 2000]
 *
 * Groups: create-order's shape (BEGIN + 3 statements, then a 4th + COMMIT) in two writes, in
 * one, and with a statement fewer; a window of 10 events in one transaction with a savepoint
 * per event (PostgresListenerStore.runBatch), without, and as one statement for all ten; a
 * transaction inserting a row into a table whose trigger NOTIFYs (as the outbox's does, with
 * nobody listening) and into one without.
 * wave-9 figures: docs/benchmarks-history.md, "Wave 9 — orders request path".
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PG_URL } from '@microtick/common/testing';
import { cpuMsOf } from './cpu-usage';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, 'per-round': { type: 'string', default: '2000' } } });
const rounds = Number(values.rounds);
const perRound = Number(values['per-round']);
const CONNECTIONS = 10;
const EVENTS_PER_BATCH = 10;

interface Variant {
  name: string;
  /** Units (transactions or events) one call accounts for. */
  units: number;
  run(client: pg.PoolClient): Promise<unknown>;
}

const statement = (client: pg.PoolClient, name: string, value: number) =>
  client.query({ name, text: 'select $1::int as a, $2::text as b, now() as c', values: [value, 'x'] });

/** Starts what `send` starts in one write (pg corks only within one statement). */
function inOneWrite(client: pg.PoolClient, send: () => Promise<unknown>[]): Promise<unknown[]> {
  const stream = (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
  stream.cork();
  try {
    return Promise.all(send());
  } finally {
    stream.uncork();
  }
}

const createOrderShape: Variant[] = [
  {
    name: 'BEGIN + 3 statements; 4th + COMMIT (two writes)',
    units: 1,
    run: async (c) => {
      await inOneWrite(c, () => [c.query('begin'), statement(c, 's1', 1), statement(c, 's2', 2), statement(c, 's3', 3)]);
      await inOneWrite(c, () => [statement(c, 's4', 4), c.query('commit')]);
    },
  },
  {
    name: 'the same in one write',
    units: 1,
    run: (c) => inOneWrite(c, () => [c.query('begin'), statement(c, 's1', 1), statement(c, 's2', 2), statement(c, 's3', 3), statement(c, 's4', 4), c.query('commit')]),
  },
  {
    name: 'BEGIN + 2 statements; 4th + COMMIT (a statement fewer)',
    units: 1,
    run: async (c) => {
      await inOneWrite(c, () => [c.query('begin'), statement(c, 's1', 1), statement(c, 's2', 2)]);
      await inOneWrite(c, () => [statement(c, 's4', 4), c.query('commit')]);
    },
  },
];

const eventIndexes = Array.from({ length: EVENTS_PER_BATCH }, (_, i) => i);
const eventWindow: Variant[] = [
  {
    name: `${EVENTS_PER_BATCH} events, SAVEPOINT + statement each`,
    units: EVENTS_PER_BATCH,
    run: (c) => inOneWrite(c, () => [c.query('begin'), ...eventIndexes.flatMap((i) => [c.query({ name: 'savepoint', text: 'savepoint listener_event' }), statement(c, 'event', i)]), c.query('commit')]),
  },
  {
    name: `${EVENTS_PER_BATCH} events, a statement each`,
    units: EVENTS_PER_BATCH,
    run: (c) => inOneWrite(c, () => [c.query('begin'), ...eventIndexes.map((i) => statement(c, 'event', i)), c.query('commit')]),
  },
  {
    name: `${EVENTS_PER_BATCH} events, one statement for all`,
    units: EVENTS_PER_BATCH,
    run: (c) => inOneWrite(c, () => [c.query('begin'), c.query({ name: 'events', text: 'select a from unnest($1::int[]) as a', values: [eventIndexes] }), c.query('commit')]),
  },
];

const notifying: Variant[] = [
  {
    name: 'BEGIN, an insert whose trigger NOTIFYs, COMMIT',
    units: 1,
    run: (c) => inOneWrite(c, () => [c.query('begin'), c.query({ name: 'notified', text: 'insert into notified (n) values ($1)', values: [1] }), c.query('commit')]),
  },
  {
    name: 'BEGIN, the same insert without a trigger, COMMIT',
    units: 1,
    run: (c) => inOneWrite(c, () => [c.query('begin'), c.query({ name: 'plain', text: 'insert into plain (n) values ($1)', values: [1] }), c.query('commit')]),
  },
];

/** The tables of the NOTIFY group: the outbox's statement-level trigger on one of them. */
const NOTIFY_TABLES = `
  create table notified (n integer);
  create table plain (n integer);
  create function bench_notify() returns trigger language plpgsql as $$ begin perform pg_notify('bench_pipeline_cost', ''); return null; end $$;
  create trigger notified_notify after insert on notified for each statement execute function bench_notify();
`;

async function measure(clients: pg.PoolClient[], backendPids: number[], group: Variant[]): Promise<void> {
  const backendsMs = () => backendPids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
  const runAll = (variant: Variant, calls: number) => Promise.all(clients.map(async (c) => { for (let i = 0; i < calls / clients.length; i++) await variant.run(c); }));
  const totals = new Map(group.map((variant) => [variant, { clientUs: 0, postgresUs: 0, units: 0 }]));
  for (const variant of group) await runAll(variant, perRound / 4); // prepares the statements, warms up
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 ? [...group].reverse() : group) {
      const calls = Math.max(clients.length, Math.round(perRound / variant.units));
      const postgresBefore = backendsMs();
      const clientBefore = process.cpuUsage();
      await runAll(variant, calls);
      const client = process.cpuUsage(clientBefore);
      const total = totals.get(variant)!;
      total.clientUs += client.user + client.system;
      total.postgresUs += (backendsMs() - postgresBefore) * 1000;
      total.units += calls * variant.units;
    }
  }
  for (const [variant, { clientUs, postgresUs, units }] of totals) {
    const per = variant.units === 1 ? 'transaction' : 'event';
    console.log(`  ${variant.name}: client ${(clientUs / units).toFixed(1)} µs, Postgres ${(postgresUs / units).toFixed(1)} µs CPU per ${per}`);
  }
}

async function main(): Promise<void> {
  // A database of this process's own (two trees may run at once), dropped at the end.
  const name = `mt_bench_pipeline_cost_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const pool = new pg.Pool({ connectionString: `${PG_URL}/${name}`, max: CONNECTIONS, pipeline: true });
  try {
    await pool.query(NOTIFY_TABLES);
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => pool.connect()));
    const backendPids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid));
    console.log(`pipeline cost: ${rounds} rounds × ${perRound} per variant, ${CONNECTIONS} connections; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
    await measure(clients, backendPids, createOrderShape);
    await measure(clients, backendPids, eventWindow);
    await measure(clients, backendPids, notifying);
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
    for (const client of clients) client.release();
  } finally {
    await pool.end();
    await admin.query(`drop database if exists ${name}`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
