import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { replicaItems } from '../testing/replica-fixture';
import { countingStatements, countingWrites, createTestDatabase, type TestDatabase } from '../testing';
import { RetryLater } from './listener';
import { versionedReplica, type ReplicaChange } from './replica';

const schema = { replicaItems };
let database: TestDatabase<typeof schema>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'replica', migrationsFolder: path.join(__dirname, '../testing/fixture-migrations'), schema });
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

type Change = ReplicaChange<typeof replicaItems>;
/** The changes a listener would declare for the item's events. */
const created = (title: string): Change => ({ create: () => ({ title }) });
const renamed = (title: string): Change => ({ update: () => ({ title }) });
const deleted: Change = { update: () => ({ deletedAt: new Date() }) };

const items = versionedReplica(replicaItems, { what: 'item' });
const apply = (id: string, version: number, change: Change) => database.db.transaction((tx) => items.apply(tx, { id, version }, change));
const read = async (id: string) => (await database.db.select().from(replicaItems).where(eq(replicaItems.id, id)))[0];

describe('versionedReplica', () => {
  it('creates the replica from version 0 and applies each next version on top of the previous one', async () => {
    const id = randomUUID();
    expect(await apply(id, 0, created('v0'))).toMatchObject({ applied: true, created: true, row: { title: 'v0', version: 0 } });
    expect(await apply(id, 1, renamed('v1'))).toMatchObject({ applied: true, created: false, row: { title: 'v1', version: 1 } });
    expect(await read(id)).toMatchObject({ title: 'v1', version: 1 });
  });

  it('ignores a duplicate or older event (stale), writing nothing', async () => {
    const id = randomUUID();
    await apply(id, 0, created('v0'));
    await apply(id, 1, renamed('v1'));
    expect(await apply(id, 0, created('again'))).toEqual({ applied: false, row: expect.objectContaining({ version: 1 }) });
    expect(await apply(id, 1, renamed('again'))).toMatchObject({ applied: false });
    expect(await read(id)).toMatchObject({ title: 'v1', version: 1 });
  });

  it('holds back an event that overtook its predecessor (RetryLater), with or without a row yet', async () => {
    const id = randomUUID();
    await expect(apply(id, 1, renamed('v1'))).rejects.toBeInstanceOf(RetryLater);
    await apply(id, 0, created('v0'));
    await expect(apply(id, 2, renamed('v2'))).rejects.toBeInstanceOf(RetryLater);
    expect(await read(id)).toMatchObject({ title: 'v0', version: 0 });
  });

  it('decides again (RetryLater) when another delivery moved the version between its read and its write', async () => {
    const id = randomUUID();
    await apply(id, 0, created('v0'));
    // The race made deterministic: the change runs after the read, so a write from another
    // connection at that moment is exactly a concurrent delivery that got there first.
    const racing: Change = {
      update: async () => {
        await database.pool.query(`update replica_items set title = 'other', version = 1 where id = $1`, [id]);
        return { title: 'mine' };
      },
    };
    await expect(apply(id, 1, racing)).rejects.toBeInstanceOf(RetryLater);
    expect(await read(id)).toMatchObject({ title: 'other', version: 1 });
  });

  it('treats a creation that a concurrent delivery inserted first as stale', async () => {
    const id = randomUUID();
    const racing: Change = {
      create: async () => {
        await database.pool.query(`insert into replica_items (id, title, version) values ($1, 'other', 0)`, [id]);
        return { title: 'mine' };
      },
    };
    expect(await apply(id, 0, racing)).toEqual({ applied: false, row: undefined });
    expect(await read(id)).toMatchObject({ title: 'other' });
  });

  it('keeps a deleted aggregate as a tombstone, so late duplicates of earlier events cannot bring it back', async () => {
    const id = randomUUID();
    await apply(id, 0, created('v0'));
    await expect(apply(id, 2, deleted)).rejects.toBeInstanceOf(RetryLater); // deletion waits for version 1
    await apply(id, 1, renamed('v1'));
    expect(await apply(id, 2, deleted)).toMatchObject({ applied: true, row: { version: 2, deletedAt: expect.any(Date) } });
    // A redelivered creation or update after the deletion: stale, not a resurrection.
    expect(await apply(id, 0, created('v0'))).toMatchObject({ applied: false });
    expect(await apply(id, 1, renamed('v1 again'))).toMatchObject({ applied: false });
    expect(await read(id)).toMatchObject({ title: 'v1', version: 2, deletedAt: expect.any(Date) });
  });

  it('refuses an event that cannot apply at its version (a bug, not a wait)', async () => {
    const id = randomUUID();
    await expect(apply(id, 0, renamed('v0'))).rejects.toThrow(/has no create/);
    await apply(id, 0, created('v0'));
    await expect(apply(id, 1, created('v1'))).rejects.toThrow(/has no update/);
  });

  it('applies a `set` change like an update: next version on top, stale ignored, ahead or missing held back', async () => {
    const id = randomUUID();
    const set = (title: string): Change => ({ set: { title } });
    await expect(apply(id, 1, set('v1'))).rejects.toBeInstanceOf(RetryLater); // no row yet
    await apply(id, 0, created('v0'));
    await expect(apply(id, 2, set('v2'))).rejects.toBeInstanceOf(RetryLater);
    expect(await apply(id, 1, set('v1'))).toEqual({ applied: true, created: false, row: { id, title: 'v1', version: 1, deletedAt: null } });
    expect(await apply(id, 1, set('again'))).toEqual({ applied: false, row: expect.objectContaining({ title: 'v1', version: 1 }) });
    expect(await apply(id, 0, created('again'))).toMatchObject({ applied: false });
    expect(await read(id)).toMatchObject({ title: 'v1', version: 1 });
  });

  it('creates from `values` without reading first; a row already there makes it stale, not an error', async () => {
    const id = randomUUID();
    const values = (title: string): Change => ({ values: { title } });
    expect(await apply(id, 0, values('v0'))).toEqual({ applied: true, created: true, row: { id, title: 'v0', version: 0, deletedAt: null } });
    expect(await apply(id, 0, values('again'))).toEqual({ applied: false, row: expect.objectContaining({ title: 'v0', version: 0 }) });
    await apply(id, 1, renamed('v1'));
    expect(await apply(id, 0, values('late'))).toMatchObject({ applied: false });
    await expect(apply(randomUUID(), 1, values('v1'))).rejects.toBeInstanceOf(RetryLater);
    expect(await read(id)).toMatchObject({ title: 'v1', version: 1 });
  });

  it('writes a value given as SQL (built per call rather than prepared)', async () => {
    const id = randomUUID();
    await apply(id, 0, created('v0'));
    expect(await apply(id, 1, { update: () => ({ deletedAt: sql`now()` as unknown as Date }) })).toMatchObject({ applied: true, row: { version: 1, deletedAt: expect.any(Date) } });
    expect(await apply(id, 2, { set: { title: sql`'from sql'` as unknown as string } })).toMatchObject({ applied: true, row: { version: 2, title: 'from sql' } });
  });

  it('with lock, holds the row until the transaction ends', async () => {
    const id = randomUUID();
    await apply(id, 0, created('v0'));
    const rowLockedElsewhere = async () => {
      const other = await database.pool.connect();
      try {
        await other.query('begin');
        await other.query('select 1 from replica_items where id = $1 for update nowait', [id]);
        return false;
      } catch {
        return true;
      } finally {
        await other.query('rollback');
        other.release();
      }
    };
    const seen: boolean[] = [];
    await database.db.transaction(async (tx) => {
      await versionedReplica(replicaItems, { what: 'item', lock: true }).apply(tx, { id, version: 0 }, created('v0')); // stale, but read under lock
      seen.push(await rowLockedElsewhere());
    });
    await database.db.transaction(async (tx) => {
      await items.apply(tx, { id, version: 0 }, created('v0'));
      seen.push(await rowLockedElsewhere());
    });
    expect(seen).toEqual([true, false]);
  });
});

describe('versionedReplica createWithCommit', () => {
  const createWithCommit = (id: string, version: number, title: string) => database.db.transaction((tx) => items.createWithCommit(tx, { id, version }, { title }));

  it('sends the creation with COMMIT (no round trip of its own); a repeat leaves the row as it is', async () => {
    const id = randomUUID();
    await database.pool.query('select 1'); // a connection is open and idle, so none is opened during the count
    // As in a listener, where BEGIN leaves with the event's claim and is awaited before the handler.
    const { writes } = await countingWrites(() =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        await items.createWithCommit(tx, { id, version: 0 }, { title: 'v0' });
      }),
    );
    expect(writes).toBe(3); // BEGIN; select; the insert with COMMIT (with apply the insert was a write of its own)
    expect(await read(id)).toMatchObject({ title: 'v0', version: 0 });
    await apply(id, 1, renamed('v1'));
    await createWithCommit(id, 0, 'again');
    expect(await read(id)).toMatchObject({ title: 'v1', version: 1 });
  });

  it('writes the creations of one transaction with one statement, leaving a row already there as it is', async () => {
    const [kept, ...fresh] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await apply(kept!, 0, created('v0'));
    await apply(kept!, 1, renamed('v1'));
    const deletedAt = new Date('2026-12-01T08:00:00.123Z');
    const { statements } = await countingStatements(/insert into "?replica_items/, () =>
      database.db.transaction(async (tx) => {
        for (const id of fresh) await items.createWithCommit(tx, { id, version: 0 }, { title: `title ${id}`, deletedAt: id === fresh[1] ? deletedAt : null });
        await items.createWithCommit(tx, { id: kept!, version: 0 }, { title: 'again', deletedAt: null });
      }),
    );
    expect(statements).toBe(1);
    for (const id of fresh) expect(await read(id)).toEqual({ id, version: 0, title: `title ${id}`, deletedAt: id === fresh[1] ? deletedAt : null });
    expect(await read(kept!)).toMatchObject({ title: 'v1', version: 1 });
  });

  it('decides any other version as apply does', async () => {
    const id = randomUUID();
    await expect(createWithCommit(id, 1, 'v1')).rejects.toBeInstanceOf(RetryLater);
    expect(await read(id)).toBeUndefined();
  });
});

describe('versionedReplica setTogether', () => {
  const setTogether = (changes: { id: string; version: number; title: string }[]) =>
    database.db.transaction((tx) => items.setTogether(tx, changes.map(({ id, version, title }) => ({ event: { id, version }, set: { title } }))));
  const itemAt = async (version: number) => {
    const id = randomUUID();
    await apply(id, 0, created('v0'));
    for (let v = 1; v <= version; v++) await apply(id, v, renamed(`v${v}`));
    return id;
  };

  it('applies the next versions of several rows with one statement', async () => {
    const ids = [await itemAt(0), await itemAt(2), await itemAt(1)];
    const versions = [1, 3, 2];
    const { statements } = await countingStatements(/update "?replica_items/, () => setTogether(ids.map((id, i) => ({ id, version: versions[i]!, title: `next ${i}` }))));
    expect(statements).toBe(1);
    for (const [i, id] of ids.entries()) expect(await read(id)).toMatchObject({ title: `next ${i}`, version: versions[i] });
  });

  it('decides the others as apply does: a stale one is left alone, an early one holds the whole batch back', async () => {
    const [next, stale, early] = [await itemAt(1), await itemAt(2), await itemAt(0)];
    await setTogether([
      { id: next, version: 2, title: 'next' },
      { id: stale, version: 1, title: 'stale' },
    ]);
    expect([await read(next), await read(stale)]).toMatchObject([{ title: 'next', version: 2 }, { title: 'v2', version: 2 }]);
    await expect(setTogether([{ id: next, version: 3, title: 'rolled back' }, { id: early, version: 2, title: 'early' }])).rejects.toBeInstanceOf(RetryLater);
    expect([await read(next), await read(early)]).toMatchObject([{ title: 'next', version: 2 }, { title: 'v0', version: 0 }]);
  });

  it('applies several versions of one row one after the other, in order', async () => {
    const id = await itemAt(0);
    await setTogether([1, 2, 3].map((version) => ({ id, version, title: `v${version} together` })));
    expect(await read(id)).toMatchObject({ title: 'v3 together', version: 3 });
  });
});
