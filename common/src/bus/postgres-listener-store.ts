import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { deadLetters } from '../db/schema';
import type { Logger } from '../logger';
import type { HandlerContext, ListenerStore, NewDeadLetter } from './listener';

/**
 * Idempotency for Postgres services: the processed-event row is inserted in the same
 * transaction as the handler's writes, so an event's effect and its "done" mark commit or
 * roll back together.
 */
export class PostgresListenerStore<TSchema extends Record<string, unknown>> implements ListenerStore<HandlerContext> {
  constructor(private readonly db: NodePgDatabase<TSchema>) {}

  runOnce(consumer: string, eventId: string, logger: Logger, handle: (ctx: HandlerContext) => Promise<void>) {
    return this.db.transaction(async (tx) => {
      const claimed = await tx.execute(
        sql`insert into processed_events (consumer, event_id) values (${consumer}, ${eventId}) on conflict do nothing`,
      );
      if (claimed.rowCount === 0) return 'duplicate' as const;
      await handle({ tx: tx as unknown as HandlerContext['tx'], logger });
      return 'processed' as const;
    });
  }

  async deadLetter(letter: NewDeadLetter): Promise<void> {
    await this.db.insert(deadLetters).values(letter);
  }
}
