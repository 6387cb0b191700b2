import { fillPlaceholders, sql, type Placeholder } from 'drizzle-orm';
import type pg from 'pg';
import type { DbExecutor } from './database';

/**
 * Hot statements whose SQL is built once, sent as named (prepared) statements on the caller's
 * connection. Drizzle rebuilds a query's text on every call (a fifth of a service's CPU on the
 * purchase path), and an unnamed statement makes Postgres parse and plan it every time; a named
 * one is parsed once per connection and its plan may be reused.
 *
 * The statement runs on the connection of the executor it is given: inside `db.transaction`
 * that is the transaction's connection, so it commits or rolls back with the caller's other
 * writes (outbox, processed-event claim). Drizzle's own `.prepare()` on `db` would instead run
 * on any pooled connection, outside the transaction — hence one drizzle prepared query per
 * connection here, built the first time that connection runs it.
 */

/** The placeholders a statement's builder may use, by name, typed by the values it is executed with. */
export type Params<TValues extends Record<string, unknown>> = <K extends keyof TValues & string>(name: K) => Placeholder<K, TValues[K]>;

interface DrizzlePrepared<TResult> {
  execute(values?: Record<string, unknown>): Promise<TResult>;
}

export interface PreparedStatement<TValues extends Record<string, unknown>, TResult> {
  readonly name: string;
  execute(executor: DbExecutor, values: TValues): Promise<TResult>;
}

const param = ((name: string) => sql.placeholder(name)) as Params<Record<string, unknown>>;

/** Every name in use in this process: Postgres refuses a second text under a name a connection already holds. */
const names = new Set<string>();

function claimName(name: string): void {
  if (names.has(name)) throw new Error(`prepared statement "${name}" is defined twice`);
  names.add(name);
}

/**
 * A drizzle query built once per connection with placeholders, executed with typed values and
 * returning rows exactly as drizzle maps them (camelCase, Dates). Define it at module level:
 *
 *     const ticketById = preparedStatement('orders_ticket_by_id', (db, p: Params<{ id: string }>) =>
 *       db.select().from(tickets).where(eq(tickets.id, p('id'))));
 *     const [ticket] = await ticketById.execute(tx, { id });
 *
 * The name must be unique in the process (checked) and at most 63 bytes (Postgres' limit).
 */
export function preparedStatement<TValues extends Record<string, unknown>, TResult>(
  name: string,
  build: (db: DbExecutor, p: Params<TValues>) => { prepare(name: string): DrizzlePrepared<TResult> },
): PreparedStatement<TValues, TResult> {
  claimName(name);
  const byConnection = new WeakMap<object, DrizzlePrepared<TResult>>();
  return {
    name,
    execute(executor, values) {
      const connection = connectionOf(executor);
      let prepared = byConnection.get(connection);
      if (!prepared) {
        prepared = build(executor, param as Params<TValues>).prepare(name);
        byConnection.set(connection, prepared);
      }
      return prepared.execute(values);
    },
  };
}

/**
 * A statement written in SQL (`$1, $2 …`), for what drizzle's builder cannot say or says at a
 * cost (a claim's `on conflict do nothing` read by its row count). Rows come back as pg parses
 * them (snake_case columns as written in the SQL).
 */
export function sqlStatement<TValues extends unknown[], TRow extends Record<string, unknown> = Record<string, never>>(name: string, text: string) {
  claimName(name);
  return {
    name,
    execute(executor: DbExecutor, values: TValues): Promise<pg.QueryResult<TRow>> {
      return connectionOf(executor).query<TRow>({ name, text, values });
    },
  };
}

/**
 * A drizzle query whose SQL is built once, at the first call, and sent as a named statement with
 * its rows as pg parses them: for a hot read whose rows need no mapping (drizzle's per-row
 * mapping and checks cost more than the rows are worth, e.g. a listing's JSON text), while the
 * query itself is still written with drizzle's builder. The builder is given placeholders only,
 * so the text is the same on every connection.
 */
export function rawPreparedStatement<TValues extends Record<string, unknown>, TRow extends Record<string, unknown>>(
  name: string,
  build: (db: DbExecutor, p: Params<TValues>) => { toSQL(): { sql: string; params: unknown[] } },
) {
  claimName(name);
  let built: { text: string; params: unknown[] } | undefined;
  return {
    name,
    async execute(executor: DbExecutor, values: TValues): Promise<TRow[]> {
      if (!built) {
        const { sql: text, params } = build(executor, param as Params<TValues>).toSQL();
        built = { text, params };
      }
      return (await connectionOf(executor).query<TRow>({ name, text: built.text, values: fillPlaceholders(built.params, values) })).rows;
    },
  };
}

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * The node-postgres client behind a drizzle database or transaction: the pool for `db`, the
 * transaction's own connection (a pooled client) for `tx`. DRIZZLE INTERNAL: drizzle-orm 0.45's
 * node-postgres session keeps it as `session.client`, which is not part of its public types.
 * prepared-statement.test.ts fails if that changes; this is the only place that relies on it.
 */
export function connectionOf(executor: DbExecutor): Queryable {
  const client = (executor as unknown as { session?: { client?: Queryable } }).session?.client;
  if (!client || typeof client.query !== 'function') {
    throw new Error('drizzle no longer exposes its node-postgres client as session.client: update connectionOf');
  }
  return client;
}
