import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { countingWrites, createTestDatabase, waitFor, type TestDatabase } from '../testing';
import { sql } from 'drizzle-orm';
import { NodePgTransaction } from 'drizzle-orm/node-postgres';
import { openDatabase, type Database, type DbExecutor } from './database';
import { isConnectionLoss } from './pg-errors';
import { connectionOf } from './prepared-statement';
import { afterCommit, afterCommitSavepoint, pipelinedTransaction, sendWithCommit, socketOf, TransactionAborted } from './pipelined-transaction';

const migrationsFolder = path.join(__dirname, '../testing/fixture-migrations');
let database: TestDatabase<Record<string, never>>;

beforeAll(async () => {
  database = await createTestDatabase({ name: 'pipelined', migrationsFolder });
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

const insertItem = (tx: DbExecutor, id: string, title = 'item') =>
  connectionOf(tx).query({ name: 'test_pipelined_insert', text: 'insert into replica_items (id, title, version) values ($1, $2, 0)', values: [id, title] });
const stored = async (id: string) => (await database.pool.query('select 1 from replica_items where id = $1', [id])).rowCount;


it("runs on pg's pipelined connection, whose socket it can hold (fails if pg moves connection.stream)", async () => {
  const client = await database.pool.connect();
  try {
    expect(client.pipeline).toBe(true);
    expect(socketOf(client)).toBeDefined();
  } finally {
    client.release();
  }
});

it('sends BEGIN with the statements started before the first await, in one write, and commits', async () => {
  await database.pool.query('select 1'); // a connection is open and idle, so none is opened during the count
  const [a, b] = [randomUUID(), randomUUID()];
  const { writes } = await countingWrites(() =>
    pipelinedTransaction(database.db, async (tx, pipeline) => {
      await Promise.all([insertItem(tx, a), insertItem(tx, b)]);
      pipeline.beforeCommit(() => connectionOf(tx).query('select 1'));
    }),
  );
  // BEGIN + two inserts; the last statement + COMMIT. Awaited one by one it was five writes.
  expect(writes).toBe(2);
  expect([await stored(a), await stored(b)]).toEqual([1, 1]);
});

it('rolls back when the body throws and hands the connection back usable', async () => {
  const id = randomUUID();
  await expect(
    pipelinedTransaction(database.db, async (tx) => {
      await insertItem(tx, id);
      throw new Error('handler failed');
    }),
  ).rejects.toThrow('handler failed');
  expect(await stored(id)).toBe(0);
  expect(database.pool.idleCount).toBeGreaterThan(0);
  const { rows } = await database.pool.query<{ status: string }>('select 1 as status');
  expect(rows).toEqual([{ status: 1 }]);
});

it('rejects a failed statement mid-pipeline and every statement behind it, commits nothing, keeps the connection', async () => {
  const [before, after] = [randomUUID(), randomUUID()];
  let behind: Promise<unknown> | undefined;
  await expect(
    pipelinedTransaction(database.db, async (tx) => {
      const first = insertItem(tx, before);
      const failing = connectionOf(tx).query('insert into replica_items (id, title, version) values ($1, null, 0)', [randomUUID()]);
      behind = insertItem(tx, after);
      behind.catch(() => undefined);
      await Promise.all([first, failing, behind]);
    }),
  ).rejects.toMatchObject({ code: '23502' }); // not null violation
  await expect(behind).rejects.toMatchObject({ code: '25P02' }); // current transaction is aborted
  expect([await stored(before), await stored(after)]).toEqual([0, 0]);
  await expect(pipelinedTransaction(database.db, async (tx) => insertItem(tx, after))).resolves.toBeDefined();
  expect(await stored(after)).toBe(1);
});

it('refuses to report a commit that Postgres answered with ROLLBACK (an error was caught inside)', async () => {
  const id = randomUUID();
  await expect(
    pipelinedTransaction(database.db, async (tx) => {
      await insertItem(tx, id);
      await connectionOf(tx)
        .query('select 1 / 0')
        .catch(() => undefined);
    }),
  ).rejects.toBeInstanceOf(TransactionAborted);
  expect(await stored(id)).toBe(0);
});

it('fails and discards the connection when it is lost mid-transaction, committing nothing', async () => {
  const id = randomUUID();
  const total = database.pool.totalCount;
  await expect(
    pipelinedTransaction(database.db, async (tx) => {
      await insertItem(tx, id);
      const { rows } = await connectionOf(tx).query<{ pid: number }>('select pg_backend_pid() as pid');
      await database.pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await connectionOf(tx).query('select 1');
    }),
  ).rejects.toThrow();
  expect(await stored(id)).toBe(0);
  expect(database.pool.totalCount).toBeLessThanOrEqual(total);
  await expect(pipelinedTransaction(database.db, async (tx) => insertItem(tx, id))).resolves.toBeDefined();
  expect(await stored(id)).toBe(1);
});

describe('a pooled connection Postgres had already ended (a restart, a failover, pg_terminate_backend)', () => {
  let own: Database<Record<string, never>>;
  beforeEach(() => {
    own = openDatabase({ url: database.url });
  });
  afterEach(() => own.close());

  /**
   * `count` idle connections whose sessions are ended while their sockets are paused, so the pool
   * has not read the news and hands them out; each is resumed once handed out, after BEGIN and
   * the first statements were written to it.
   */
  async function deadIdleConnections(count: number): Promise<void> {
    const clients = await Promise.all(Array.from({ length: count }, () => own.pool.connect()));
    const pids = await Promise.all(clients.map(async (client) => (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid));
    const paused = new Set(clients.map((client) => socketOf(client) as unknown as { pause(): void; resume(): void }));
    for (const client of clients) client.release();
    for (const socket of paused) socket.pause();
    own.pool.on('acquire', (client) => {
      const socket = socketOf(client) as unknown as { resume(): void };
      if (paused.has(socket as never)) setTimeout(() => socket.resume(), 5);
    });
    await database.pool.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
    await waitFor(async () => (await database.pool.query('select 1 from pg_stat_activity where pid = any($1::int[])', [pids])).rowCount === 0, {
      what: 'the sessions to end',
    });
    expect(own.pool.idleCount).toBe(count);
  }

  it('runs the body again on another connection, committing once', async () => {
    await deadIdleConnections(1);
    const id = randomUUID();
    const errors: unknown[] = [];
    await pipelinedTransaction(own.db, async (tx) => {
      await insertItem(tx, id).catch((err: unknown) => {
        errors.push(err);
        throw err;
      });
    });
    expect(errors.map(isConnectionLoss)).toEqual([true]); // 57P01, or the socket closing, whichever pg reads first
    expect(await stored(id)).toBe(1);
  });

  it('gives up after three dead connections, failing with the connection error', async () => {
    await deadIdleConnections(3);
    let runs = 0;
    const failure = await pipelinedTransaction(own.db, async (tx) => {
      runs++;
      await insertItem(tx, randomUUID());
    }).catch((err: unknown) => err);
    expect(runs).toBe(3);
    expect(isConnectionLoss(failure)).toBe(true);
  });

  it('does not run the body again when the connection is lost after BEGIN was answered (a statement may have been applied)', async () => {
    let runs = 0;
    const failure = await pipelinedTransaction(own.db, async (tx) => {
      runs++;
      await connectionOf(tx).query('select 1');
      await connectionOf(tx).query('select pg_terminate_backend(pg_backend_pid())');
    }).catch((err: unknown) => err);
    expect(runs).toBe(1);
    expect(isConnectionLoss(failure)).toBe(true);
  });
});

it("hands over drizzle's own transaction: a nested transaction is a savepoint (fails if drizzle's internals move)", async () => {
  const [kept, undone] = [randomUUID(), randomUUID()];
  await pipelinedTransaction(database.db, async (tx) => {
    expect(tx).toBeInstanceOf(NodePgTransaction);
    await tx.execute(sql`insert into replica_items (id, title, version) values (${kept}, 'kept', 0)`);
    await expect(
      tx.transaction(async (inner) => {
        await insertItem(inner, undone);
        throw new Error('inner failed');
      }),
    ).rejects.toThrow('inner failed');
  });
  expect([await stored(kept), await stored(undone)]).toEqual([1, 0]);
});

it("is what openDatabase's db.transaction runs: BEGIN leaves with the first statement, and a rolled-back COMMIT fails", async () => {
  await database.pool.query('select 1');
  const id = randomUUID();
  const { writes } = await countingWrites(() => database.db.transaction(async (tx) => insertItem(tx, id)));
  expect(writes).toBe(2); // drizzle's own: BEGIN, insert, COMMIT
  expect(await stored(id)).toBe(1);
  await expect(
    database.db.transaction(async (tx) => {
      await insertItem(tx, randomUUID());
      await tx.execute(sql`select 1 / 0`).catch(() => undefined);
    }),
  ).rejects.toBeInstanceOf(TransactionAborted);
});

describe('afterCommit', () => {
  it('runs its hooks in order once the transaction has committed, never after a rollback, and forgets what a savepoint undid', async () => {
    const ran: string[] = [];
    let pool: unknown;
    await pipelinedTransaction(database.db, async (tx) => {
      expect(afterCommit(tx, (committedOn) => ((pool = committedOn), ran.push('first')))).toBe(true);
      const undo = afterCommitSavepoint(tx);
      afterCommit(tx, () => ran.push('undone'));
      undo();
      afterCommit(tx, () => ran.push('second'));
      await insertItem(tx, randomUUID());
      expect(ran).toEqual([]); // not before COMMIT
    });
    expect(ran).toEqual(['first', 'second']);
    expect(pool).toBe(database.pool);

    await pipelinedTransaction(database.db, async (tx) => {
      afterCommit(tx, () => ran.push('rolled back'));
      throw new Error('body failed');
    }).catch(() => undefined);
    await pipelinedTransaction(database.db, async (tx) => {
      afterCommit(tx, () => ran.push('aborted'));
      await tx.execute(sql`select 1 / 0`).catch(() => undefined);
    }).catch(() => undefined);
    // Outside a pipelined transaction (the pool itself, a nested one) nothing is registered.
    expect(afterCommit(database.db, () => ran.push('pool'))).toBe(false);
    await pipelinedTransaction(database.db, (tx) => tx.transaction(async (inner) => void expect(afterCommit(inner, () => ran.push('nested'))).toBe(false)));
    expect(ran).toEqual(['first', 'second']);
  });
});

describe('sendWithCommit', () => {
  it('sends its statements with COMMIT, in order, after the body and beforeCommit; forgets what a savepoint undid', async () => {
    await database.pool.query('select 1');
    const [a, b, undone] = [randomUUID(), randomUUID(), randomUUID()];
    const sent: string[] = [];
    const { writes } = await countingWrites(() =>
      pipelinedTransaction(database.db, async (tx, pipeline) => {
        expect(sendWithCommit(tx, () => (sent.push('a'), insertItem(tx, a)))).toBe(true);
        const undo = afterCommitSavepoint(tx);
        sendWithCommit(tx, () => (sent.push('undone'), insertItem(tx, undone)));
        undo();
        sendWithCommit(tx, () => (sent.push('b'), insertItem(tx, b)));
        pipeline.beforeCommit(() => connectionOf(tx).query('select 1'));
        await insertItem(tx, randomUUID());
        expect(sent).toEqual([]); // not before COMMIT
      }),
    );
    expect(writes).toBe(2); // BEGIN + the body's insert; both inserts, the last statement and COMMIT
    expect(sent).toEqual(['a', 'b']);
    expect([await stored(a), await stored(b), await stored(undone)]).toEqual([1, 1, 0]);
  });

  it('fails the transaction with the statement\'s own error when it fails, committing nothing and running no hook', async () => {
    const [id, ran] = [randomUUID(), [] as string[]];
    const failing = pipelinedTransaction(database.db, async (tx) => {
      await insertItem(tx, id);
      afterCommit(tx, () => ran.push('hook'));
      sendWithCommit(tx, () => connectionOf(tx).query('select 1 / 0'));
    });
    await expect(failing).rejects.toMatchObject({ code: '22012' }); // division_by_zero, not TransactionAborted
    expect([await stored(id), ran]).toEqual([0, []]);
  });

  it('is never called outside a pipelined transaction (the pool, a nested one)', async () => {
    const called: string[] = [];
    expect(sendWithCommit(database.db, async () => called.push('pool'))).toBe(false);
    await pipelinedTransaction(database.db, (tx) => tx.transaction(async (inner) => void expect(sendWithCommit(inner, async () => called.push('nested'))).toBe(false)));
    expect(called).toEqual([]);
  });
});
