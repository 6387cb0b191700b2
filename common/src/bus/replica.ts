import { and, eq } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbExecutor } from '../db/database';
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
   * The columns to change on top of the current row (version N-1). A deletion or other terminal
   * state is a change too: mark the row (a `deleted_at`, a terminal status) rather than delete
   * it, so the version stays and a late duplicate of an earlier event is found stale instead of
   * re-creating the aggregate.
   */
  update?: (current: ReplicaRow<T>) => ReplicaUpdate<T> | Promise<ReplicaUpdate<T>>;
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
  // drizzle cannot type a query over a table known only by its constraint; the casts stay here.
  const anyTable = table as PgTable & { id: AnyPgColumn; version: AnyPgColumn };
  const versionOf = (row: ReplicaRow<T>) => row['version' as keyof ReplicaRow<T>] as number;
  return {
    table,
    async apply(tx: DbExecutor, event: { id: string; version: number }, change: ReplicaChange<T>): Promise<ReplicaOutcome<T>> {
      const what = `${options.what} ${event.id}`;
      const read = tx.select().from(anyTable).where(eq(anyTable.id, event.id));
      const [current] = (await (options.lock ? read.for('update') : read)) as ReplicaRow<T>[];
      if (checkVersion(current && versionOf(current), event.version, what) === 'stale') return { applied: false, row: current };
      if (!current) {
        if (!change.create) throw new Error(`${what}: version ${event.version} creates the replica, but this event has no create`);
        const values = { ...(await change.create()), id: event.id, version: event.version };
        const [inserted] = (await tx.insert(anyTable).values(values).onConflictDoNothing().returning()) as ReplicaRow<T>[];
        return inserted ? { applied: true, created: true, row: inserted } : { applied: false, row: undefined };
      }
      if (!change.update) throw new Error(`${what}: version ${event.version} changes the replica, but this event has no update`);
      const [updated] = (await tx
        .update(anyTable)
        .set({ ...(await change.update(current)), version: event.version })
        .where(and(eq(anyTable.id, event.id), eq(anyTable.version, versionOf(current))))
        .returning()) as ReplicaRow<T>[];
      if (!updated) throw new RetryLater(`${what} changed while applying version ${event.version}`);
      return { applied: true, created: false, row: updated };
    },
  };
}
