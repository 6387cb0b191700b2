import path from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { pipelinedTransaction } from './pipelined-transaction';

/** Anything that runs queries: the database itself or an open transaction. */
export type DbExecutor = PgDatabase<NodePgQueryResultHKT, Record<string, unknown>>;

export interface Database<TSchema extends Record<string, unknown> = Record<string, never>> {
  pool: pg.Pool;
  db: NodePgDatabase<TSchema>;
  close(): Promise<void>;
}

// COUNT(*) and bigserial come back as strings by default; MicroTick's counts fit in a number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openDatabase<TSchema extends Record<string, unknown>>(options: {
  url: string;
  schema?: TSchema;
  poolSize?: number;
  applicationName?: string;
  /** Postgres ends a session left idle inside a transaction this long (default 60 s). */
  idleInTransactionTimeoutMs?: number;
}): Database<TSchema> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName,
    idleTimeoutMillis: 30_000,
    // A peer that vanished (a node gone, a partition) is noticed in about a minute instead of the
    // kernel's two hours, on both ends: the client's TCP keepalive, and the server's via the
    // session settings below, so Postgres drops a dead client's session and its locks.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    options: '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3',
    // Nothing in MicroTick leaves a transaction idle for long; one that is (a stalled process) is
    // ended so it cannot hold row locks indefinitely.
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    // A statement is written as soon as it is started, without waiting for the answer to the one
    // before: statements started together share a round trip (pipelinedTransaction). Statements
    // that are awaited one by one behave as before. Cursors (pg-cursor, `rows`) are refused in
    // this mode; MicroTick uses none.
    pipeline: true,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema: options.schema ?? ({} as TSchema) });
  // Every transaction sends its BEGIN with its first statement instead of awaiting it alone, and
  // fails rather than resolving when COMMIT rolled back (pipelinedTransaction). A transaction
  // config (isolation level, read only), which MicroTick does not use, goes to drizzle's own.
  const drizzleTransaction = db.transaction.bind(db);
  db.transaction = ((body, config) => (config ? drizzleTransaction(body, config) : pipelinedTransaction(db, (tx) => body(tx)))) as typeof db.transaction;
  return { pool, db, close: () => pool.end() };
}

/** Creates the database a service owns when it does not exist yet (needs CREATEDB). */
export async function ensureDatabase(url: string): Promise<void> {
  await withAdminConnection(url, async (client, name) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount !== 0) return;
    try {
      await client.query(`create database ${pg.escapeIdentifier(name)}`);
    } catch (err) {
      // Another replica created it between our check and our create: 42P04 when it had
      // committed, 23505 (on pg_database's unique index) when both creates ran together.
      const code = (err as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw err;
    }
  });
}

/**
 * Drops the database `url` names, if it exists, ending the sessions still in it (a stack's or a
 * benchmark's data, after its processes stopped). `WITH (FORCE)` refuses with 42501 while an
 * autovacuum worker is in the database, because on Postgres 15 only a superuser may end one; a
 * plain DROP asks autovacuum to leave and waits for it, so it is the second try.
 */
export async function dropDatabase(url: string): Promise<void> {
  await withAdminConnection(url, async (client, name) => {
    const drop = `drop database if exists ${pg.escapeIdentifier(name)}`;
    try {
      await client.query(`${drop} with (force)`);
    } catch (err) {
      if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
      await client.query(drop);
    }
  });
}

const INSUFFICIENT_PRIVILEGE = '42501';

/** Runs `task` on a connection to the server's `postgres` database, with the name of the database `url` points at. */
async function withAdminConnection(url: string, task: (client: pg.Client, name: string) => Promise<void>): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await task(client, name);
  } finally {
    await client.end();
  }
}

/** The tables of the event core (outbox, processed events, dead letters), shipped with common. */
export const commonMigrationsFolder = path.join(__dirname, '../../drizzle'); // same from src/ and dist/

/**
 * Applies common's migrations, then the service's. A session advisory lock, held on the same
 * connection the migrations run on, serialises replicas that start together.
 */
export async function runMigrations(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`select pg_advisory_lock(hashtext('microtick-migrations'))`);
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: commonMigrationsFolder, migrationsTable: '__microtick_common_migrations' });
    await migrate(db, { migrationsFolder, migrationsTable: '__drizzle_migrations' });
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('microtick-migrations'))`).catch(() => undefined);
    client.release();
  }
}
