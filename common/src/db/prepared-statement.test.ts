import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { replicaItems } from '../testing/replica-fixture';
import { createTestDatabase, type TestDatabase } from '../testing';
import { connectionOf, preparedStatement, sqlStatement, type Params } from './prepared-statement';

const schema = { replicaItems };
let database: TestDatabase<typeof schema>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'prepared', migrationsFolder: path.join(__dirname, '../testing/fixture-migrations'), schema });
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

const insertItem = preparedStatement('test_insert_item', (db, p: Params<{ id: string; title: string }>) =>
  db.insert(replicaItems).values({ id: p('id'), title: p('title'), version: 0 }).returning({ id: replicaItems.id, deletedAt: replicaItems.deletedAt }),
);
const itemById = preparedStatement('test_item_by_id', (db, p: Params<{ id: string }>) => db.select().from(replicaItems).where(eq(replicaItems.id, p('id'))));
const renameItem = sqlStatement<[string, string]>('test_rename_item', 'update replica_items set title = $2 where id = $1');
const backendPid = async (tx: Parameters<typeof connectionOf>[0]) =>
  (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows[0]!.pid;

describe('connectionOf (relies on drizzle keeping its client as session.client)', () => {
  it('is the pool for the database and the transaction’s own connection inside a transaction', async () => {
    expect(connectionOf(database.db)).toBe(database.pool);
    await database.db.transaction(async (tx) => {
      const connection = connectionOf(tx);
      expect(connection).toBeInstanceOf(pg.Client);
      const { rows } = await connection.query<{ pid: number }>('select pg_backend_pid() as pid');
      expect(rows[0]!.pid).toBe(await backendPid(tx));
    });
  });
});

describe('preparedStatement', () => {
  it('returns rows mapped as drizzle maps them, as a named statement of the connection that ran it', async () => {
    const id = randomUUID();
    const names = await database.db.transaction(async (tx) => {
      expect(await insertItem.execute(tx, { id, title: 'first' })).toEqual([{ id, deletedAt: null }]);
      for (let i = 0; i < 2; i++) expect(await itemById.execute(tx, { id })).toEqual([{ id, title: 'first', version: 0, deletedAt: null }]);
      return (await tx.execute<{ name: string }>(sql`select name from pg_prepared_statements order by name`)).rows.map((r) => r.name);
    });
    expect(names).toEqual(expect.arrayContaining(['test_insert_item', 'test_item_by_id']));
  });

  it('runs in the caller’s transaction: rolled back with it, and the connection can run it again afterwards', async () => {
    const id = randomUUID();
    await expect(
      database.db.transaction(async (tx) => {
        await insertItem.execute(tx, { id, title: 'doomed' });
        await renameItem.execute(tx, [id, 'renamed']);
        // Visible inside the transaction…
        expect(await itemById.execute(tx, { id })).toEqual([expect.objectContaining({ title: 'renamed' })]);
        // …and not outside it: a statement run on another connection would have committed already.
        expect((await database.pool.query('select 1 from replica_items where id = $1', [id])).rowCount).toBe(0);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await itemById.execute(database.db, { id })).toEqual([]);
    // Same statements after the rollback (the pool hands back the same connection): still usable.
    await database.db.transaction(async (tx) => {
      await insertItem.execute(tx, { id, title: 'kept' });
    });
    expect(await itemById.execute(database.db, { id })).toEqual([expect.objectContaining({ title: 'kept' })]);
  });

  it('survives an error in its transaction: the named statement stays usable on that connection', async () => {
    const id = randomUUID();
    await insertItem.execute(database.db, { id, title: 'one' });
    for (let i = 0; i < 3; i++) {
      await expect(database.db.transaction((tx) => insertItem.execute(tx, { id, title: 'duplicate' }))).rejects.toThrow();
    }
    expect(await itemById.execute(database.db, { id })).toEqual([expect.objectContaining({ title: 'one' })]);
  });

  it('refuses a second definition under the same name', () => {
    expect(() => sqlStatement('test_item_by_id', 'select 1')).toThrow('defined twice');
  });
});
