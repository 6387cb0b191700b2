import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { dropDatabase, ensureDatabase, openDatabase, runMigrations } from '@microtick/common';
import { DEFAULT_INFRA, REPO_ROOT } from '@microtick/local';
import pg from 'pg';
import type { CpuSources } from './cpu-usage';

/** The baseline process (baseline-server.ts) and direct access to its two databases. */
export interface Baseline {
  url: string;
  pid: number;
  ordersDb: pg.Pool;
  ticketsDb: pg.Pool;
  /** The process and the Postgres backends of its databases, for CPU accounting. */
  cpuSources: CpuSources;
  /** Stops the process and drops its databases. */
  stop(): Promise<void>;
}

const databaseUrl = (name: string) => `${DEFAULT_INFRA.postgres}/${name}`;

/**
 * Creates `microtick_<namespace>_baseline_{orders,tickets}`, migrates them with the orders and
 * tickets services' own migrations, and starts the baseline server on a free loopback port.
 */
export async function startBaseline(namespace: string): Promise<Baseline> {
  const names = { orders: `microtick_${namespace}_baseline_orders`, tickets: `microtick_${namespace}_baseline_tickets` };
  const databases = await Promise.all(
    (['orders', 'tickets'] as const).map(async (service) => {
      await ensureDatabase(databaseUrl(names[service]));
      const database = openDatabase({ url: databaseUrl(names[service]), poolSize: 4 });
      await runMigrations(database.pool, path.join(REPO_ROOT, service, 'drizzle'));
      return database;
    }),
  );
  const [orders, tickets] = databases as [(typeof databases)[0], (typeof databases)[0]];
  const child = spawn(process.execPath, [path.join(__dirname, 'baseline-server.js')], {
    env: { ...process.env, ORDERS_DATABASE_URL: databaseUrl(names.orders), TICKETS_DATABASE_URL: databaseUrl(names.tickets), DATABASE_POOL_SIZE: '10' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    await stopProcess(child);
    await Promise.all([orders.close(), tickets.close()]);
    await Promise.all(Object.values(names).map((name) => dropDatabase(databaseUrl(name))));
  };
  try {
    const port = await firstPortLine(child);
    const cpuSources: CpuSources = {
      processes: () => new Map([['baseline', child.pid]]),
      postgres: { label: 'postgres', pool: orders.pool, databases: Object.values(names) },
    };
    return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, ordersDb: orders.pool, ticketsDb: tickets.pool, cpuSources, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function firstPortLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the baseline server did not start within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
}

/** Adds `count` tickets to the baseline's orders replica (for the INSERT of an order to reference) and returns their ids. */
export async function seedReplicaTickets(baseline: Baseline, count: number): Promise<string[]> {
  const { rows } = await baseline.ordersDb.query<{ id: string }>(
    `insert into tickets_replica (id, title, price_cents, user_id, version)
     select gen_random_uuid(), 'Bench ticket ' || n, 1099, gen_random_uuid(), 0 from generate_series(1, $1::int) n returning id`,
    [count],
  );
  return rows.map((row) => row.id);
}

/** Adds `count` reserved tickets to the baseline's tickets table and returns their ids. */
export async function seedReservedTickets(baseline: Baseline, count: number): Promise<string[]> {
  const { rows } = await baseline.ticketsDb.query<{ id: string }>(
    `insert into tickets (title, price_cents, user_id, order_id)
     select 'Bench ticket ' || n, 1099, gen_random_uuid(), gen_random_uuid() from generate_series(1, $1::int) n returning id`,
    [count],
  );
  return rows.map((row) => row.id);
}

/** Makes the baseline's tickets table a copy of `source` (the stack's tickets table), so both listings read the same rows. */
export async function copyTickets(source: pg.Pool, baseline: Baseline): Promise<number> {
  const { rows } = await source.query('select id, title, price_cents, user_id, version, order_id, created_at from tickets');
  // CASCADE: checkins references tickets (empty in the baseline, but TRUNCATE refuses otherwise).
  await baseline.ticketsDb.query('truncate tickets cascade');
  await baseline.ticketsDb.query(
    `insert into tickets (id, title, price_cents, user_id, version, order_id, created_at)
     select * from json_to_recordset($1::json) as t(id uuid, title text, price_cents int, user_id uuid, version int, order_id uuid, created_at timestamptz)`,
    [JSON.stringify(rows)],
  );
  await baseline.ticketsDb.query('analyze tickets');
  return rows.length;
}
