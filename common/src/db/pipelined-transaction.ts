import { NodePgSession, NodePgTransaction, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgDialect } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type pg from 'pg';
import { answersInOrder } from './answers-in-order';
import { isConnectionLoss } from './pg-errors';

/**
 * A transaction whose statements need not wait for each other's answers. The pool's connections
 * run in pg's pipeline mode (openDatabase), so a statement is written as soon as it is started;
 * statements started together — BEGIN and the event's claim, a savepoint and the handler's first
 * statement, a last clean-up and COMMIT — leave in one write and cost one round trip instead of
 * one each. On the hot path every round trip is a `writev` and a wake-up in both the service and
 * Postgres, which is most of what an event costs once its SQL is prepared.
 *
 * Each pipelined statement carries its own Sync, so one that fails rejects alone and the
 * connection stays usable; statements after it in the same transaction fail with "current
 * transaction is aborted", as they would have if they had waited.
 */
export interface Pipeline {
  /**
   * Runs `send` with the connection's writes held, so every statement it starts (without
   * awaiting) goes out in one write. Whatever `send` returns is returned. A prepared statement
   * (preparedStatement, sqlStatement) is sent when called; a drizzle query builder only when
   * awaited, a microtask later, so it leaves in a write of its own (still correct, one more write).
   */
  together<R>(send: () => R): R;
  /** A statement to send in the same write as COMMIT; the commit fails if it fails. */
  beforeCommit(send: () => Promise<unknown>): void;
}

/** Work for after a transaction has committed, e.g. publishing the events it staged (outbox.ts). Given the pool it ran on. */
export type AfterCommit = (pool: pg.Pool) => void;

/** What each open pipelined transaction does at its COMMIT, by its `tx`. */
interface CommitWork {
  /** The pool the transaction runs on (what its after-commit hooks are given). */
  pool: pg.Pool;
  /** Statements sent in COMMIT's write (sendWithCommit), and rows written with it (writeWithCommit). */
  withCommit: WithCommit[];
  /** Run once COMMIT has succeeded (afterCommit). */
  hooks: AfterCommit[];
}
const commitWorkOf = new WeakMap<object, CommitWork>();

/**
 * Runs `hook` right after `tx` commits, in the order registered, when `tx` is a pipelined
 * transaction (every `db.transaction` and listener transaction); returns false, and never runs
 * it, for anything else (the pool, a nested transaction, drizzle's own). Never run when the
 * transaction rolls back, or when COMMIT's outcome is unknown (the connection was lost): what
 * relies on it needs a fallback for that case (the outbox has its relay).
 */
export function afterCommit(tx: object, hook: AfterCommit): boolean {
  const work = commitWorkOf.get(tx);
  work?.hooks.push(hook);
  return work !== undefined;
}

/** The pool `tx` runs on when it is a pipelined transaction; undefined for anything else. */
export function poolOfTransaction(tx: object): pg.Pool | undefined {
  return commitWorkOf.get(tx)?.pool;
}

/**
 * Sends the statement `send` starts in the same write as `tx`'s COMMIT, after the transaction's
 * other statements, in the order registered, when `tx` is a pipelined transaction; returns false,
 * and never calls it, for anything else (the caller then runs it itself). For a write nothing
 * in the transaction reads back (an outbox row): it costs no round trip of its own. If it fails,
 * the transaction fails with its error and nothing of it commits. `send` must start its
 * statement synchronously (a prepared statement does: preparedStatement, sqlStatement).
 */
export function sendWithCommit(tx: object, send: () => Promise<unknown>): boolean {
  const work = commitWorkOf.get(tx);
  work?.withCommit.push(send);
  return work !== undefined;
}

/**
 * Rows of one kind (one table, one set of columns) that a transaction writes with COMMIT, in one
 * statement however many there are: `send` writes `rows` (at least one, in the order added). The
 * object is the kind's identity, so define one per kind, at module level.
 */
export interface CommitRows<T> {
  send(tx: object, rows: readonly T[]): Promise<unknown>;
}

/** What goes with COMMIT: a statement of its own, or one row of a kind written together. */
type WithCommit = (() => Promise<unknown>) | { rows: CommitRows<unknown>; row: unknown };

/**
 * sendWithCommit for a row that others of its kind may join: every row of `kind` added to `tx`
 * is written by one statement (`kind.send`), in COMMIT's write, at the place of the first one.
 * A batch handler that stages twenty events sends one outbox insert instead of twenty, each a
 * statement the service builds, sends and reads the answer of, and Postgres parses, plans and
 * flushes an answer for. Returns false, and keeps nothing, when `tx` is not a pipelined
 * transaction (the caller then writes the row itself). Rolling back to a savepoint drops the
 * rows added since (afterCommitSavepoint).
 */
export function writeWithCommit<T>(tx: object, kind: CommitRows<T>, row: T): boolean {
  const work = commitWorkOf.get(tx);
  work?.withCommit.push({ rows: kind as CommitRows<unknown>, row });
  return work !== undefined;
}

/** The statements to send with COMMIT, in order: each row kind's rows go in one, where its first row was added. */
function commitStatements(tx: object, entries: readonly WithCommit[]): (() => Promise<unknown>)[] {
  const statements: (() => Promise<unknown>)[] = [];
  const rowsOf = new Map<CommitRows<unknown>, unknown[]>();
  for (const entry of entries) {
    if (typeof entry === 'function') {
      statements.push(entry);
      continue;
    }
    let rows = rowsOf.get(entry.rows);
    if (!rows) {
      const collected: unknown[] = [];
      rowsOf.set(entry.rows, (rows = collected));
      statements.push(() => entry.rows.send(tx, collected));
    }
    rows.push(entry.row);
  }
  return statements;
}

/**
 * For a savepoint: returns the function that forgets the commit work (afterCommit,
 * sendWithCommit, writeWithCommit) registered on `tx` since, to call when rolling back to that
 * savepoint (what its statements staged is gone).
 */
export function afterCommitSavepoint(tx: object): () => void {
  const work = commitWorkOf.get(tx);
  const hooksMark = work?.hooks.length ?? 0;
  const withCommitMark = work?.withCommit.length ?? 0;
  return () => {
    if (!work) return;
    work.hooks.length = Math.min(work.hooks.length, hooksMark);
    work.withCommit.length = Math.min(work.withCommit.length, withCommitMark);
  };
}

/** COMMIT answered ROLLBACK: a statement failed earlier and its error was caught, so nothing was written. */
export class TransactionAborted extends Error {
  constructor() {
    super('the transaction was aborted by an earlier failed statement (its error was caught); COMMIT rolled it back');
    this.name = 'TransactionAborted';
  }
}

/** A drizzle transaction over a node-postgres pool: what `db.transaction` hands its callback. */
export type PipelinedTx<TSchema extends Record<string, unknown>> = NodePgTransaction<TSchema, ExtractTablesWithRelations<TSchema>>;

/**
 * Runs `body` in a transaction on one pooled connection of `db`, BEGIN sent together with
 * whatever `body` starts before its first await (so `BEGIN; claim` is one round trip). Commits
 * when `body` resolves, rolls back when it rejects. `tx` is the drizzle transaction drizzle's own
 * `transaction()` would build (nested transactions are savepoints, `tx.rollback()` works,
 * prepared statements find its connection through `connectionOf`); only its BEGIN is not
 * awaited on its own.
 *
 * BEGIN is not awaited before the statements behind it are sent. It can fail only when the
 * connection is lost or the session is already inside an aborted transaction — and then the
 * statements behind it fail too; any BEGIN failure still fails the transaction, and the
 * connection is discarded rather than returned to the pool.
 *
 * A connection that was already dead when it left the pool is the one failure retried here:
 * Postgres ended the session while it sat idle (pg_terminate_backend, a restart, a failover)
 * and the pool had not read the news yet. BEGIN then fails with everything behind it, so
 * nothing of `body` ran, and `body` runs again on another connection — up to
 * CONNECTIONS_TRIED times, as after a restart every idle connection may be dead at once.
 */
export async function pipelinedTransaction<TSchema extends Record<string, unknown>, T>(
  db: NodePgDatabase<TSchema>,
  body: (tx: PipelinedTx<TSchema>, pipeline: Pipeline) => Promise<T>,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await transactionOnPooledConnection(db, body);
    } catch (err) {
      if (!(err instanceof DeadConnection)) throw err;
      if (tried >= CONNECTIONS_TRIED) throw err.cause;
    }
  }
}

const CONNECTIONS_TRIED = 3;

/** BEGIN failed because the connection was gone: nothing of the transaction reached Postgres. */
class DeadConnection extends Error {
  constructor(override readonly cause: unknown) {
    super('the pooled connection was dead before BEGIN', { cause });
  }
}

async function transactionOnPooledConnection<TSchema extends Record<string, unknown>, T>(
  db: NodePgDatabase<TSchema>,
  body: (tx: PipelinedTx<TSchema>, pipeline: Pipeline) => Promise<T>,
): Promise<T> {
  const pool = poolOf(db);
  const client = await pool.connect();
  const tx = transactionOn(db, client);
  // This run's own lists: a run retried on another connection starts afresh.
  const work: CommitWork = { pool, withCommit: [], hooks: [] };
  commitWorkOf.set(tx, work);
  let last: (() => Promise<unknown>) | undefined;
  const pipeline: Pipeline = {
    together: (send) => heldWrites(client, send),
    beforeCommit: (send) => void (last = send),
  };
  let broken: Error | undefined;
  // A connection lost while checked out is reported as an 'error' event, which pg-pool listens
  // for only on idle connections: unheard it would crash the process. The statements in flight
  // are rejected with it anyway; the connection is then discarded.
  const lost = (err: Error) => void (broken ??= err);
  client.on('error', lost);
  try {
    const [begun, ran] = await Promise.allSettled(
      heldWrites(client, () => {
        const begin = client.query('begin');
        return [begin, body(tx, pipeline)] as const;
      }),
    );
    if (begun.status === 'rejected') {
      broken = begun.reason as Error;
      throw isConnectionLoss(begun.reason) ? new DeadConnection(begun.reason) : begun.reason;
    }
    if (ran.status === 'rejected') throw ran.reason;
    // A statement sent with COMMIT that fails rejects with its own error (then COMMIT answers
    // ROLLBACK, and nothing committed): the first in order, not the first rejection to arrive
    // (the statements after it only say the transaction was aborted).
    const [, , committed] = await Promise.all(
      heldWrites(client, () => [answersInOrder(commitStatements(tx, work.withCommit).map((send) => send())), last?.(), client.query('commit')] as const),
    );
    if (committed.command !== 'COMMIT') throw new TransactionAborted();
    commitWorkOf.delete(tx);
    for (const hook of work.hooks) {
      try {
        hook(pool);
      } catch {
        // Committed is committed: a hook's failure must not make it look rolled back (the
        // outbox's hook does not throw; its relay publishes whatever it missed).
      }
    }
    return ran.value;
  } catch (err) {
    // Outside a transaction (COMMIT already ran) this is a warning, not an error.
    if (!broken) await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw err;
  } finally {
    commitWorkOf.delete(tx);
    // A broken connection keeps the listener: pg may report its loss again while it closes.
    if (!broken) client.off('error', lost);
    client.release(broken);
  }
}

/** drizzle's public handle on the pool it was built over. */
const poolOf = (db: NodePgDatabase<Record<string, unknown>>): pg.Pool => (db as unknown as { $client: pg.Pool }).$client;

/**
 * DRIZZLE INTERNAL: drizzle-orm 0.45's `transaction()` builds `new NodePgTransaction(dialect,
 * new NodePgSession(client, dialect, schema, options), schema)` from the database's `dialect` and
 * `session` (its `schema` and `options`), then awaits BEGIN. The same is built here, once per
 * connection (pooled connections live long). pipelined-transaction.test.ts fails if that changes.
 */
const transactions = new WeakMap<object, WeakMap<pg.PoolClient, unknown>>();

function transactionOn<TSchema extends Record<string, unknown>>(db: NodePgDatabase<TSchema>, client: pg.PoolClient): PipelinedTx<TSchema> {
  let byClient = transactions.get(db);
  if (!byClient) transactions.set(db, (byClient = new WeakMap()));
  let tx = byClient.get(client) as PipelinedTx<TSchema> | undefined;
  if (!tx) {
    const { dialect, session } = db as unknown as { dialect: PgDialect; session: { schema: never; options: never } };
    tx = new NodePgTransaction<TSchema, ExtractTablesWithRelations<TSchema>>(dialect, new NodePgSession(client, dialect, session.schema, session.options), session.schema);
    byClient.set(client, tx);
  }
  return tx;
}

/**
 * pg writes each statement with a write of its own (it corks only the messages of one
 * statement). Corking the socket around several statements makes them one `writev`.
 * PG INTERNAL: pg 8's client keeps its socket as `connection.stream`; without it (another
 * driver build) statements are still pipelined, only in separate writes.
 * pipelined-transaction.test.ts fails if that changes.
 */
function heldWrites<R>(client: pg.PoolClient, send: () => R): R {
  const stream = socketOf(client);
  stream?.cork();
  try {
    return send();
  } finally {
    stream?.uncork();
  }
}

export function socketOf(client: pg.ClientBase): { cork(): void; uncork(): void } | undefined {
  const stream = (client as unknown as { connection?: { stream?: { cork?: unknown; uncork?: unknown } } }).connection?.stream;
  return stream && typeof stream.cork === 'function' && typeof stream.uncork === 'function' ? (stream as { cork(): void; uncork(): void }) : undefined;
}
