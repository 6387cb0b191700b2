import type pg from 'pg';
import type { Logger } from '../logger';

export interface RetentionOptions {
  pool: pg.Pool;
  logger: Logger;
  /** How long a consumer remembers an event id (default 30 days, far beyond any redelivery or replay). */
  processedEventsDays?: number;
  intervalMs?: number;
}

/**
 * Deletes idempotency records older than the retention period; returns how many went. The
 * retention must be at least the stream's max age (config refuses less): a record is written
 * after its event was published, so the event has left the stream before the record goes.
 * Attempt records (`event_attempts`) that old belong to events the stream no longer has.
 */
export async function purgeProcessedEvents(pool: pg.Pool, days: number): Promise<number> {
  const result = await pool.query(`delete from processed_events where processed_at < now() - make_interval(days => $1)`, [days]);
  await pool.query(`delete from event_attempts where coalesce(waiting_since, updated_at) < now() - make_interval(days => $1)`, [days]);
  return result.rowCount ?? 0;
}

/**
 * `processed_events` gains a row per handled event; without a purge it grows forever. Runs
 * hourly (and once at start); returns the function that stops it.
 */
export function startRetention(options: RetentionOptions): () => Promise<void> {
  const days = options.processedEventsDays ?? 30;
  let running: Promise<void> | undefined;
  const purge = () => {
    running ??= purgeProcessedEvents(options.pool, days)
      .then((deleted) => {
        if (deleted > 0) options.logger.info({ deleted, days }, 'purged old processed-event records');
      })
      .catch((err: unknown) => options.logger.warn({ err }, 'processed-event purge failed; will retry'))
      .finally(() => {
        running = undefined;
      });
  };
  purge();
  const timer = setInterval(purge, options.intervalMs ?? 3_600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
