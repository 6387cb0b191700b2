import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { deadLetters } from '../db/schema';
import { sqlStatement } from '../db/prepared-statement';
import { afterCommitSavepoint, pipelinedTransaction } from '../db/pipelined-transaction';
import type { Logger } from '../logger';
import { RetryLater, type BatchItem, type BatchOutcome, type HandlerContext, type ListenerStore, type NewDeadLetter, type RequestedReplay, type WaitingSummary } from './listener';

// The statements every delivered event runs, prepared once per connection (common/src/db/prepared-statement.ts).
const claimEvent = sqlStatement<[consumer: string, eventId: string]>(
  'listener_claim',
  'insert into processed_events (consumer, event_id) values ($1, $2) on conflict do nothing',
);
const claimEvents = sqlStatement<[consumer: string, eventIds: string], { event_id: string }>(
  'listener_claim_batch',
  'insert into processed_events (consumer, event_id) select $1, id::uuid from json_array_elements_text($2::json) as claimed(id) on conflict do nothing returning event_id',
);
const unclaimEvent = sqlStatement<[consumer: string, eventId: string]>('listener_unclaim', 'delete from processed_events where consumer = $1 and event_id = $2');
const forgetAttempts = sqlStatement<[consumer: string, eventId: string]>('listener_forget_attempts', 'delete from event_attempts where consumer = $1 and event_id = $2');
const forgetAttemptsOf = sqlStatement<[consumer: string, eventIds: string]>(
  'listener_forget_attempts_batch',
  'delete from event_attempts where consumer = $1 and event_id in (select id::uuid from json_array_elements_text($2::json) as cleared(id))',
);
const savepoint = sqlStatement<[]>('listener_savepoint', 'savepoint listener_event');
const rollbackToSavepoint = sqlStatement<[]>('listener_rollback_to_savepoint', 'rollback to savepoint listener_event');

/**
 * Idempotency for Postgres services: the processed-event row is inserted in the same
 * transaction as the handler's writes, so an event's effect and its "done" mark commit or
 * roll back together. An event's attempts (`event_attempts`: waiting since, real failures)
 * live in the same database, so every replica and every restart counts them alike.
 */
export class PostgresListenerStore<TSchema extends Record<string, unknown>> implements ListenerStore<HandlerContext> {
  constructor(private readonly db: NodePgDatabase<TSchema>) {}

  /**
   * BEGIN, the attempts clean-up of a redelivered event and the claim go out together (one round
   * trip), then the handler, then COMMIT.
   */
  runOnce(consumer: string, eventId: string, logger: Logger, handle: (ctx: HandlerContext) => Promise<void>, options?: { redelivered: boolean }) {
    return pipelinedTransaction(this.db, async (tx) => {
      // Only a redelivered event can have attempts on record; the first delivery skips the statement.
      const [, claimed] = await Promise.all([
        options?.redelivered ? forgetAttempts.execute(tx, [consumer, eventId]) : undefined,
        claimEvent.execute(tx, [consumer, eventId]),
      ]);
      if (claimed.rowCount === 0) return 'duplicate' as const;
      await handle({ tx: tx as unknown as HandlerContext['tx'], logger });
      return 'processed' as const;
    });
  }

  /**
   * Several events of one consumer in one transaction: the claims are one statement (sent with
   * BEGIN), and each handler runs after a savepoint of its own, so a handler that throws undoes
   * only its own writes and its claim (the others commit and are acknowledged; it is retried
   * alone). The savepoint travels with the handler's first statement, so per event the batch
   * costs no round trip beyond the handler's own. Attempts on record are cleared for the events
   * that were applied, in the same write as COMMIT.
   */
  runBatch(consumer: string, items: readonly BatchItem<HandlerContext>[], logger: Logger): Promise<BatchOutcome[]> {
    return pipelinedTransaction(this.db, async (tx, pipeline) => {
      const ids = JSON.stringify(items.map((item) => item.eventId));
      const { rows } = await claimEvents.execute(tx, [consumer, ids]);
      const unclaimed = new Set(rows.map((row) => row.event_id));
      const outcomes: BatchOutcome[] = [];
      const cleared: string[] = [];
      for (const item of items) {
        // Not inserted by this statement (already processed), or a second copy within the batch.
        // Postgres answers uuids in lower case; an envelope's id may be written in upper case.
        if (!unclaimed.delete(item.eventId.toLowerCase())) {
          outcomes.push({ outcome: 'duplicate' });
          continue;
        }
        // Events its handler stages are published after COMMIT only if its savepoint stands.
        const forgetStaged = afterCommitSavepoint(tx);
        const [marked, handled] = await Promise.allSettled(
          pipeline.together(() => [savepoint.execute(tx, []), startHandler(item, { tx: tx as unknown as HandlerContext['tx'], logger: item.logger ?? logger })] as const),
        );
        // Without its savepoint a failure could not be undone alone: the batch fails as a whole
        // (nothing of it commits) and the runner handles its events one by one.
        if (marked.status === 'rejected') throw marked.reason;
        if (handled.status === 'fulfilled') {
          outcomes.push({ outcome: 'processed' });
          if (item.redelivered) cleared.push(item.eventId);
        } else {
          forgetStaged();
          await Promise.all(pipeline.together(() => [rollbackToSavepoint.execute(tx, []), unclaimEvent.execute(tx, [consumer, item.eventId])]));
          outcomes.push({ outcome: 'failed', error: handled.reason });
        }
      }
      if (cleared.length > 0) pipeline.beforeCommit(() => forgetAttemptsOf.execute(tx, [consumer, JSON.stringify(cleared)]));
      return outcomes;
    });
  }

  /**
   * One handler for several events (a listener's `handleBatch`) in one transaction: the claims are
   * one statement (sent with BEGIN), `handle` gets the events this claim inserted, and their
   * processed marks commit or roll back with its writes. A throw rolls back the whole
   * transaction (nothing is marked processed) and the runner handles each event alone, so a
   * retry, a wait or a dead letter stays one event's. Attempts on record are cleared for the
   * applied events that may have some (redelivered; unknown counts as redelivered), with COMMIT.
   */
  runTogether(
    consumer: string,
    items: readonly (Pick<BatchItem<HandlerContext>, 'eventId'> & { redelivered?: boolean })[],
    logger: Logger,
    handle: (indexes: number[], ctx: HandlerContext) => Promise<void>,
  ): Promise<('processed' | 'duplicate')[]> {
    return pipelinedTransaction(this.db, async (tx, pipeline) => {
      const { rows } = await claimEvents.execute(tx, [consumer, JSON.stringify(items.map((item) => item.eventId))]);
      const unclaimed = new Set(rows.map((row) => row.event_id));
      // Postgres answers uuids in lower case; a second copy within the batch is a duplicate.
      const fresh = items.flatMap((item, i) => (unclaimed.delete(item.eventId.toLowerCase()) ? [i] : []));
      if (fresh.length > 0) await handle(fresh, { tx: tx as unknown as HandlerContext['tx'], logger });
      const cleared = fresh.filter((i) => items[i]!.redelivered !== false).map((i) => items[i]!.eventId);
      if (cleared.length > 0) pipeline.beforeCommit(() => forgetAttemptsOf.execute(tx, [consumer, JSON.stringify(cleared)]));
      const outcomes: ('processed' | 'duplicate')[] = items.map(() => 'duplicate');
      for (const i of fresh) outcomes[i] = 'processed';
      return outcomes;
    });
  }

  async deadLetter(letter: NewDeadLetter): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(deadLetters).values(letter);
      if (letter.eventId) await tx.execute(sql`delete from event_attempts where consumer = ${letter.consumer} and event_id = ${letter.eventId}`);
    });
  }

  async noteWaiting(consumer: string, eventId: string, reason: string): Promise<Date> {
    const { rows } = await this.db.execute<{ waiting_since: Date }>(sql`
      insert into event_attempts (consumer, event_id, waiting_since, wait_reason) values (${consumer}, ${eventId}, now(), ${reason})
      on conflict (consumer, event_id) do update
        set waiting_since = coalesce(event_attempts.waiting_since, now()), wait_reason = excluded.wait_reason, updated_at = now()
      returning waiting_since`);
    return new Date(rows[0]!.waiting_since);
  }

  async countFailure(consumer: string, eventId: string, error: string): Promise<number> {
    const { rows } = await this.db.execute<{ failures: number }>(sql`
      insert into event_attempts (consumer, event_id, failures, last_error) values (${consumer}, ${eventId}, 1, ${error})
      on conflict (consumer, event_id) do update
        set failures = event_attempts.failures + 1, last_error = excluded.last_error, updated_at = now()
      returning failures`);
    return rows[0]!.failures;
  }

  async waitingSummary(): Promise<WaitingSummary[]> {
    const { rows } = await this.db.execute<{ consumer: string; count: number; oldest_since: Date }>(sql`
      select consumer, count(*) as count, min(waiting_since) as oldest_since
      from event_attempts where waiting_since is not null group by consumer`);
    return rows.map((row) => ({ consumer: row.consumer, count: Number(row.count), oldestSince: new Date(row.oldest_since) }));
  }

  async replayRequested(consumers: readonly string[], logger: Logger, handle: (letter: RequestedReplay, ctx: HandlerContext) => Promise<void>): Promise<boolean> {
    if (consumers.length === 0) return false;
    let taken: RequestedReplay | undefined;
    try {
      return await this.db.transaction(async (tx) => {
        const { rows } = await tx.execute<{ id: string; consumer: string; payload: string; stream_sequence: number | null; event_id: string | null }>(sql`
          select id, consumer, payload, stream_sequence, event_id from dead_letters
          where replay_requested_at is not null and replayed_at is null and consumer in ${sql`(${sql.join(consumers.map((c) => sql`${c}`), sql`, `)})`}
          order by failed_at limit 1 for update skip locked`);
        const row = rows[0];
        if (!row) return false;
        taken = { id: row.id, consumer: row.consumer, payload: row.payload, streamSequence: row.stream_sequence === null ? null : Number(row.stream_sequence) };
        const claimed = row.event_id
          ? await tx.execute(sql`insert into processed_events (consumer, event_id) values (${row.consumer}, ${row.event_id}) on conflict do nothing`)
          : { rowCount: 1 };
        // Applied meanwhile (e.g. a copy was redelivered): replaying it is a no-op.
        if (claimed.rowCount !== 0) await handle(taken, { tx: tx as unknown as HandlerContext['tx'], logger });
        await tx.update(deadLetters).set({ replayedAt: new Date() }).where(sql`${deadLetters.id} = ${row.id}`);
        return true;
      });
    } catch (err) {
      if (!taken || err instanceof RetryLater) throw err;
      // A real failure: the replay request is withdrawn and the error recorded, so it does not loop.
      await this.db
        .update(deadLetters)
        .set({ replayRequestedAt: null, error: `replay failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 2_000), failedAt: new Date() })
        .where(sql`${deadLetters.id} = ${taken.id}`);
      throw err;
    }
  }
}

/** Starts a handler so that a synchronous throw is a rejection like any other failure. */
function startHandler(item: BatchItem<HandlerContext>, ctx: HandlerContext): Promise<void> {
  try {
    return item.handle(ctx);
  } catch (error) {
    return Promise.reject(error);
  }
}
