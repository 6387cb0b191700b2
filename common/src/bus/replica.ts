import { and, eq, getTableColumns, getTableName, is, SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbExecutor } from '../db/database';
import { answersInOrder } from '../db/answers-in-order';
import { writeWithCommit, type CommitRows } from '../db/pipelined-transaction';
import { preparedStatement, sqlStatement, type Params, type PreparedStatement } from '../db/prepared-statement';
import { RetryLater } from './listener';
import { checkVersion } from './versioned';

/**
 * A service's copy of another service's aggregate (`<aggregate>s_replica`), kept by applying the
 * owner's events strictly in version order: creation is version 0, every later event N applies
 * only on top of N-1. The table needs a primary key `id` and an integer `version`.
 */
export type ReplicaTable = PgTable & { id: AnyPgColumn; version: AnyPgColumn };

export type ReplicaRow<T extends ReplicaTable> = T['$inferSelect'];

/**
 * What one event does to the replica. A listener declares only this; `versionedReplica(…).apply` does the
 * version bookkeeping (and sets `version` itself, so neither function returns it).
 */
export interface ReplicaChange<T extends ReplicaTable> {
  /** The row to insert when this event is the aggregate's first (version 0). Omit for events that never create. */
  create?: () => Omit<T['$inferInsert'], 'id' | 'version'> | Promise<Omit<T['$inferInsert'], 'id' | 'version'>>;
  /**
   * The row to insert, for a creation that depends on nothing read (use it instead of `create`):
   * inserted at once (`on conflict do nothing`), no read first; a row already there is read to
   * decide, exactly as with `create`.
   */
  values?: Omit<T['$inferInsert'], 'id' | 'version'>;
  /**
   * The columns to change on top of the current row (version N-1). A deletion or other terminal
   * state is a change too: mark the row (a `deleted_at`, a terminal status) rather than delete
   * it, so the version stays and a late duplicate of an earlier event is found stale instead of
   * re-creating the aggregate.
   */
  update?: (current: ReplicaRow<T>) => ReplicaUpdate<T> | Promise<ReplicaUpdate<T>>;
  /**
   * The columns to change, for an event whose change does not depend on the current row (use it
   * instead of `update`): applied with one `UPDATE … WHERE version = N-1`, no read first when it
   * is the next version (the usual case); otherwise decided as `update` would be.
   */
  set?: ReplicaUpdate<T>;
}

type ReplicaUpdate<T extends ReplicaTable> = Partial<Omit<T['$inferInsert'], 'id' | 'version'>>;

export type ReplicaOutcome<T extends ReplicaTable> =
  /** Already applied (a duplicate or an older event): nothing was written. */
  | { applied: false; row: ReplicaRow<T> | undefined }
  | { applied: true; created: boolean; row: ReplicaRow<T> };

/**
 * The versioned-replica apply for one replica table, declared once per table (or at the top of a
 * listener). A listener then declares only the change:
 *
 *     const tickets = versionedReplica(ticketsReplica, { what: 'ticket' });
 *     await tickets.apply(tx, data, { update: () => ({ title: data.title }) });
 *
 * `apply` runs in the listener's transaction:
 * - reads the row's version (`lock: true` reads it FOR UPDATE, for listeners whose later
 *   statements must see the row unchanged until commit);
 * - `checkVersion`: an old version is stale (returns `applied: false`), a version ahead of the
 *   next one throws RetryLater so the event comes back once the missing ones are applied;
 * - the first version inserts (`create`); a concurrent delivery that inserted first makes this one stale;
 * - a later version updates `… WHERE version = <read version>`; a concurrent delivery that moved
 *   the version between the read and the write throws RetryLater, to decide again.
 * Side effects that must happen once (publishing, notifying) belong after `applied: true`.
 * (A factory rather than one generic function: with the table's type fixed first, a change's
 * literal values such as `status: 'cancelled'` type-check against the column without casts.)
 */
export function versionedReplica<T extends ReplicaTable>(table: T, options: { what: string; lock?: boolean }) {
  const versionOf = (row: ReplicaRow<T>) => row['version' as keyof ReplicaRow<T>] as number;
  const statements = replicaStatements(table);
  const read = options.lock ? statements.readForUpdate : statements.read;
  return {
    table,
    apply,
    /**
     * `apply(tx, event, { values })` for a handler that does nothing else with the outcome (it
     * only records the creation): at version 0, in a pipelined transaction, the insert (`on
     * conflict do nothing`) is sent with COMMIT instead of being awaited, one round trip less per
     * event, and the creations of one transaction (a batch handler's) are one statement
     * (writeWithCommit). That decides the same: a row already there can only be the
     * aggregate created before (versions only grow), which `apply` would find stale and leave
     * alone; an insert that fails fails the transaction. Any other version, or another executor,
     * goes through `apply`.
     */
    async createWithCommit(tx: DbExecutor, event: { id: string; version: number }, values: NonNullable<ReplicaChange<T>['values']>): Promise<void> {
      if (event.version === 0) {
        const row = { ...values, id: event.id, version: 0 };
        const columns = writtenColumns(row);
        if (columns && writeWithCommit(tx, statements.insertsWithCommit(columns), row)) return;
      }
      await apply(tx, event, { values });
    },
    setTogether,
  };

  /**
   * `apply(tx, event, { set })` for several events, each about another aggregate (a batch
   * handler's window): the usual case, every event the next version of its row, is one UPDATE
   * for all of them; any event it did not apply (stale, ahead, missing) then goes through
   * `apply`, which decides it from the row as for a lone event (an early one throws RetryLater).
   * Two events about one aggregate, or a change written as SQL, go through `apply` one after the
   * other, in order.
   */
  async function setTogether(tx: DbExecutor, changes: readonly { event: { id: string; version: number }; set: ReplicaUpdate<T> }[]): Promise<void> {
    const rows = changes.map(({ event, set }) => ({ ...set, id: event.id, version: event.version }));
    const columns = rows.length > 1 ? sameColumns(rows) : undefined;
    const distinct = new Set(changes.map(({ event }) => event.id)).size === changes.length;
    if (!columns || !distinct || changes.some(({ event }) => event.version === 0)) {
      for (const { event, set } of changes) await apply(tx, event, { set });
      return;
    }
    const updated = new Set(await statements.updateNextVersions(columns).execute(tx, rows));
    // Postgres answers uuids in lower case.
    const rest = changes.filter(({ event }) => !updated.has(event.id.toLowerCase()));
    // Every statement answered before the outcome is known (answersInOrder): none still sends when the transaction ends.
    await answersInOrder(rest.map(({ event, set }) => apply(tx, event, { set })));
  }

  async function apply(tx: DbExecutor, event: { id: string; version: number }, change: ReplicaChange<T>): Promise<ReplicaOutcome<T>> {
    const what = `${options.what} ${event.id}`;
    if (change.values && event.version === 0) {
      const [inserted] = await statements.insert(tx, { ...change.values, id: event.id, version: 0 });
      if (inserted) return { applied: true, created: true, row: inserted };
    }
    if (change.set && event.version > 0) {
      // The next version, as it nearly always is: one statement. Not it (stale, ahead, missing, or
      // moved meanwhile): decided from the row as read below, exactly as without `set`.
      const [updated] = await statements.update(tx, event.id, event.version - 1, { ...change.set, version: event.version });
      if (updated) return { applied: true, created: false, row: updated };
    }
    const [current] = await read.execute(tx, { id: event.id });
    if (checkVersion(current && versionOf(current), event.version, what) === 'stale') return { applied: false, row: current };
    if (!current) {
      if (!change.create && !change.values) throw new Error(`${what}: version ${event.version} creates the replica, but this event has no create`);
      const [inserted] = await statements.insert(tx, { ...(change.values ?? (await change.create!())), id: event.id, version: event.version });
      return inserted ? { applied: true, created: true, row: inserted } : { applied: false, row: undefined };
    }
    if (!change.update && !change.set) throw new Error(`${what}: version ${event.version} changes the replica, but this event has no update`);
    const values = change.set ?? (await change.update!(current));
    const [updated] = await statements.update(tx, event.id, versionOf(current), { ...values, version: event.version });
    if (!updated) throw new RetryLater(`${what} changed while applying version ${event.version}`);
    return { applied: true, created: false, row: updated };
  }
}

type Values = Record<string, unknown>;

interface ReplicaStatements<T extends ReplicaTable> {
  read: PreparedStatement<{ id: string }, ReplicaRow<T>[]>;
  readForUpdate: PreparedStatement<{ id: string }, ReplicaRow<T>[]>;
  /** `insert … on conflict do nothing returning *`: no row when a concurrent delivery inserted first. */
  insert(tx: DbExecutor, values: Values): Promise<ReplicaRow<T>[]>;
  /** `update … set <values> where id = <id> and version = <expected> returning *`. */
  update(tx: DbExecutor, id: string, expected: number, values: Values): Promise<ReplicaRow<T>[]>;
  /** `update … where version = <row's version> - 1` of several rows writing these columns, in one statement: the ids updated. */
  updateNextVersions(columns: string[]): { execute(tx: DbExecutor, rows: readonly Values[]): Promise<string[]> };
  /** Inserts (`on conflict do nothing`) of rows writing these columns, written with COMMIT in one statement (createWithCommit). */
  insertsWithCommit(columns: string[]): CommitRows<Values>;
}

/** One set of statements per table, shared by every listener that applies to it (their names are per table). */
const statementsByTable = new WeakMap<ReplicaTable, ReplicaStatements<ReplicaTable>>();

/** Statement-name prefixes in use in this process, one per replica table object. */
const prefixes = new Set<string>();

/**
 * `replica_<table>`, numbered when this process already has another table of that name: tickets
 * and payments each keep an `orders_replica`, and a process that loads both services' listeners
 * (the Kubernetes and event-map tests) must not give two different statements one name.
 */
function statementPrefix(table: ReplicaTable): string {
  const base = `replica_${getTableName(table)}`;
  let prefix = base;
  for (let n = 2; prefixes.has(prefix); n++) prefix = `${base}_${n}`;
  prefixes.add(prefix);
  return prefix;
}

/**
 * The replica's statements, built once: the reads, and one insert or update per set of columns
 * a change writes (a listener writes the same columns every time, so there are a few per table).
 * A value written as SQL (e.g. `sql\`now()\``) cannot be a parameter: that change is built per call.
 */
function replicaStatements<T extends ReplicaTable>(table: T): ReplicaStatements<T> {
  const known = statementsByTable.get(table);
  if (known) return known as unknown as ReplicaStatements<T>;
  // drizzle cannot type a query over a table known only by its constraint; the casts stay here.
  const anyTable = table as PgTable & { id: AnyPgColumn; version: AnyPgColumn };
  const name = statementPrefix(table);
  const readById = (db: DbExecutor, p: Params<{ id: string }>) => db.select().from(anyTable).where(eq(anyTable.id, p('id')));
  const inserts = new Map<string, PreparedStatement<Values, ReplicaRow<T>[]>>();
  const updates = new Map<string, PreparedStatement<Values, ReplicaRow<T>[]>>();
  const insertsWithCommit = new Map<string, CommitRows<Values>>();
  const nextVersionUpdates = new Map<string, ReturnType<ReplicaStatements<T>['updateNextVersions']>>();
  // Placeholders are named c0, c1… by position; `id` and `expected` are the row's key and version.
  const placeholders = (columns: string[], p: Params<Values>) => Object.fromEntries(columns.map((column, i) => [column, p(`c${i}`)]));
  const positional = (columns: string[], values: Values) => Object.fromEntries(columns.map((column, i) => [`c${i}`, values[column]]));
  const statements: ReplicaStatements<T> = {
    read: preparedStatement(`${name}_read`, (db, p: Params<{ id: string }>) => readById(db, p)) as ReplicaStatements<T>['read'],
    readForUpdate: preparedStatement(`${name}_read_lock`, (db, p: Params<{ id: string }>) => readById(db, p).for('update')) as ReplicaStatements<T>['read'],
    async insert(tx, values) {
      const columns = writtenColumns(values);
      if (!columns) return (await tx.insert(anyTable).values(values).onConflictDoNothing().returning()) as ReplicaRow<T>[];
      const shape = columns.join(',');
      let statement = inserts.get(shape);
      if (!statement) {
        statement = preparedStatement(`${name}_insert_${inserts.size}`, (db, p: Params<Values>) =>
          db.insert(anyTable).values(placeholders(columns, p)).onConflictDoNothing().returning(),
        ) as PreparedStatement<Values, ReplicaRow<T>[]>;
        inserts.set(shape, statement);
      }
      return statement.execute(tx, positional(columns, values));
    },
    async update(tx, id, expected, values) {
      const columns = writtenColumns(values);
      if (!columns) {
        return (await tx.update(anyTable).set(values).where(and(eq(anyTable.id, id), eq(anyTable.version, expected))).returning()) as ReplicaRow<T>[];
      }
      const shape = columns.join(',');
      let statement = updates.get(shape);
      if (!statement) {
        statement = preparedStatement(`${name}_update_${updates.size}`, (db, p: Params<Values>) =>
          db
            .update(anyTable)
            .set(placeholders(columns, p))
            .where(and(eq(anyTable.id, p('id')), eq(anyTable.version, p('expected'))))
            .returning(),
        ) as PreparedStatement<Values, ReplicaRow<T>[]>;
        updates.set(shape, statement);
      }
      return statement.execute(tx, { ...positional(columns, values), id, expected });
    },
    updateNextVersions(columns) {
      const shape = columns.join(',');
      let statement = nextVersionUpdates.get(shape);
      if (!statement) {
        statement = updateNextVersionsStatement(`${name}_update_next_${nextVersionUpdates.size}`, anyTable, columns);
        nextVersionUpdates.set(shape, statement);
      }
      return statement;
    },
    insertsWithCommit(columns) {
      const shape = columns.join(',');
      let rows = insertsWithCommit.get(shape);
      if (!rows) {
        const several = insertRowsStatement(`${name}_insert_rows_${insertsWithCommit.size}`, anyTable, columns);
        rows = {
          send: (tx, values) => (values.length === 1 ? statements.insert(tx as DbExecutor, values[0]!) : several.execute(tx as DbExecutor, values)),
        };
        insertsWithCommit.set(shape, rows);
      }
      return rows;
    },
  };
  statementsByTable.set(table, statements as unknown as ReplicaStatements<ReplicaTable>);
  return statements;
}

/**
 * `insert … on conflict do nothing` of several rows in one statement: the rows go as one JSON
 * array of objects keyed by column name, which `json_populate_recordset` turns into rows of the
 * table's own type (so every column keeps its type, and one prepared statement serves any number
 * of rows). Values are converted as drizzle converts them for the single-row insert.
 */
function insertRowsStatement(name: string, table: ReplicaTable, columns: string[]) {
  const rows = rowsAsJson(table, columns);
  const list = columns.map((key) => `"${rows.columnName(key)}"`).join(', ');
  const tableName = `"${getTableName(table)}"`;
  const statement = sqlStatement<[rows: string]>(
    name,
    `insert into ${tableName} (${list}) select ${list} from json_populate_recordset(null::${tableName}, $1::json) on conflict do nothing`,
  );
  return { execute: (tx: DbExecutor, values: readonly Values[]) => statement.execute(tx, [rows.json(values)]) };
}

/**
 * The update of several rows to their next version in one statement, each row given as for
 * insertRowsStatement (its `id`, its new `version` and the columns set): a row is changed only
 * at the version before, as `update` does for one.
 */
function updateNextVersionsStatement(name: string, table: ReplicaTable, columns: string[]) {
  const rows = rowsAsJson(table, columns);
  const quoted = (key: string) => `"${rows.columnName(key)}"`;
  const set = columns.filter((key) => key !== 'id').map((key) => `${quoted(key)} = changed.${quoted(key)}`).join(', ');
  const tableName = `"${getTableName(table)}"`;
  const statement = sqlStatement<[rows: string], { id: string }>(
    name,
    // The ids as an array too: with it the rows are found through the primary key; a join with
    // the function's rows alone (estimated at 100) is a hash join over the whole table.
    `update ${tableName} as target set ${set} from json_populate_recordset(null::${tableName}, $1::json) as changed
     where target.${quoted('id')} = any(array(select listed.${quoted('id')} from json_populate_recordset(null::${tableName}, $1::json) as listed))
       and target.${quoted('id')} = changed.${quoted('id')} and target.${quoted('version')} = changed.${quoted('version')} - 1
     returning target.${quoted('id')} as id`,
  );
  return {
    execute: async (tx: DbExecutor, values: readonly Values[]) => (await statement.execute(tx, [rows.json(values)])).rows.map((row) => row.id),
  };
}

/** Rows of `columns` (by key) as the JSON array json_populate_recordset reads: keyed by column name, values as the driver takes them. */
function rowsAsJson(table: ReplicaTable, columns: string[]) {
  const byKey = getTableColumns(table);
  const written = columns.map((key) => ({ key, column: byKey[key]! }));
  return {
    columnName: (key: string) => byKey[key]!.name,
    json: (rows: readonly Values[]) => JSON.stringify(rows.map((row) => Object.fromEntries(written.map(({ key, column }) => [column.name, toDriver(column, row[key])])))),
  };
}

/** The columns every row writes, when they are the same for all and none is written as SQL. */
function sameColumns(rows: readonly Values[]): string[] | undefined {
  const columns = writtenColumns(rows[0]!);
  const shape = columns?.join(',');
  return columns && rows.every((row) => writtenColumns(row)?.join(',') === shape) ? columns : undefined;
}

/**
 * A value as the column's driver value (a Date as its ISO text, …), except JSON, which the array
 * carries as itself (its driver value is its text, which would arrive as a JSON string); null
 * stays null.
 */
const toDriver = (column: AnyPgColumn, value: unknown): unknown => {
  if (value === null || value === undefined) return null;
  return column.columnType === 'PgJson' || column.columnType === 'PgJsonb' ? value : column.mapToDriverValue(value);
};

/** The columns a change writes, in a stable order; undefined when one is written as SQL (not a parameter). */
function writtenColumns(values: Values): string[] | undefined {
  const columns = Object.keys(values).filter((column) => values[column] !== undefined);
  return columns.some((column) => isSql(values[column])) ? undefined : columns.sort();
}

/** drizzle's `is` walks the prototype chain of every value; only a non-Date object can be SQL. */
function isSql(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && is(value, SQL);
}
