import { and, desc, eq, isNull } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { deadLetters } from '../db/schema';
import { parseEnvelope, type EventType } from '../events/catalogue';

/** A message a consumer gave up on, as an operator sees it, from Postgres or Redis alike. */
export type DeadLetter = typeof deadLetters.$inferSelect;

/** One service's dead letters, wherever it parks them (its database; Redis for expiration). */
export interface DeadLetterStore {
  /** Letters not replayed yet (or all of them), newest first. */
  list(options?: { includeReplayed?: boolean }): Promise<DeadLetter[]>;
  /** Asks the running service to replay the letter in its own process (see `replayDeadLetter`). */
  requestReplay(id: string): Promise<void>;
}

export const postgresDeadLetters = (db: NodePgDatabase<Record<string, unknown>>): DeadLetterStore => ({
  list: (options) => listDeadLetters(db, options),
  requestReplay: (id) => replayDeadLetter(db, id),
});

/** Dead letters an operator has not replayed yet, newest first. */
export const listDeadLetters = (db: NodePgDatabase<Record<string, unknown>>, options: { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> =>
  db
    .select()
    .from(deadLetters)
    .where(options.includeReplayed ? undefined : isNull(deadLetters.replayedAt))
    .orderBy(desc(deadLetters.failedAt));

/**
 * Asks the service that parked a dead letter to replay it: the letter is marked, and that
 * service's ListenerRunner (which polls for requests) re-runs the stored event through the
 * listener's handler in its own process, with the usual idempotency, and marks it replayed in
 * the same transaction. Nothing is published, so replaying needs no right to publish another
 * service's subjects. A letter that is not a valid event is refused here.
 */
export async function replayDeadLetter(db: NodePgDatabase<Record<string, unknown>>, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [letter] = await tx
      .select()
      .from(deadLetters)
      .where(and(eq(deadLetters.id, id), isNull(deadLetters.replayedAt)))
      .for('update');
    if (!letter) throw new Error(`no pending dead letter ${id}`);
    try {
      parseEnvelope(letter.eventType as EventType, JSON.parse(letter.payload));
    } catch (err) {
      throw new Error(`dead letter ${id} is not a valid ${letter.eventType} event and cannot be replayed: ${String(err)}`);
    }
    await tx.update(deadLetters).set({ replayRequestedAt: new Date() }).where(eq(deadLetters.id, id));
  });
}
