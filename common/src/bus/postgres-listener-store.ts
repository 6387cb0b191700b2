import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { deadLetters } from '../db/schema';
import type { Logger } from '../logger';
import type { HandlerContext, ListenerStore, NewDeadLetter, WaitingSummary } from './listener';

/**
 * Idempotency for Postgres services: the processed-event row is inserted in the same
 * transaction as the handler's writes, so an event's effect and its "done" mark commit or
 * roll back together. An event's attempts (`event_attempts`: waiting since, real failures)
 * live in the same database, so every replica and every restart counts them alike.
 */
export class PostgresListenerStore<TSchema extends Record<string, unknown>> implements ListenerStore<HandlerContext> {
  constructor(private readonly db: NodePgDatabase<TSchema>) {}

  runOnce(consumer: string, eventId: string, logger: Logger, handle: (ctx: HandlerContext) => Promise<void>, options?: { redelivered: boolean }) {
    return this.db.transaction(async (tx) => {
      // Only a redelivered event can have attempts on record; the first delivery skips the statement.
      if (options?.redelivered) await tx.execute(sql`delete from event_attempts where consumer = ${consumer} and event_id = ${eventId}`);
      const claimed = await tx.execute(
        sql`insert into processed_events (consumer, event_id) values (${consumer}, ${eventId}) on conflict do nothing`,
      );
      if (claimed.rowCount === 0) return 'duplicate' as const;
      await handle({ tx: tx as unknown as HandlerContext['tx'], logger });
      return 'processed' as const;
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
}
