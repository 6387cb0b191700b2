import pg from 'pg';

/** Wall-clock milliseconds with sub-millisecond resolution (comparable with an order's `expiresAt`). */
export const now = (): number => performance.timeOrigin + performance.now();

export interface RowWatchOptions {
  /** Names the trigger, its function and the NOTIFY channel: `bench_<name>`. */
  name: string;
  table: string;
  /** `insert`, or `update of <column>`. */
  event: string;
  /** Optional SQL condition on OLD/NEW, e.g. `new.order_id is null`. A constant of the bench, never input. */
  when?: string;
}

export interface RowWatch {
  /** Row id → when its change became visible (committed), by `now()`. */
  readonly seen: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * Instrumentation for the bench only, in a stack's throw-away database: a row trigger that
 * NOTIFYs the row's id, and a LISTEN on it. Postgres delivers a NOTIFY when the writing
 * transaction commits, so each time recorded is when the change became visible to readers,
 * without polling. The services' code is not touched; `stop` drops the trigger again.
 */
export async function watchRows(pool: pg.Pool, options: RowWatchOptions): Promise<RowWatch> {
  const name = `bench_${options.name}`;
  const seen = new Map<string, number>();
  const client = await pool.connect();
  client.on('notification', (message) => {
    if (message.payload && !seen.has(message.payload)) seen.set(message.payload, now());
  });
  await client.query(`listen ${name}`);
  await client.query(
    `create or replace function ${name}() returns trigger language plpgsql as $$
     begin perform pg_notify('${name}', new.id::text); return null; end $$`,
  );
  await client.query(
    `create trigger ${name} after ${options.event} on ${pg.escapeIdentifier(options.table)}
     for each row ${options.when ? `when (${options.when})` : ''} execute function ${name}()`,
  );
  return {
    seen,
    stop: async () => {
      await client.query(`drop trigger if exists ${name} on ${pg.escapeIdentifier(options.table)}`);
      await client.query(`drop function if exists ${name}()`);
      await client.query(`unlisten ${name}`);
      client.release();
    },
  };
}
