import { and, desc, eq, isNull } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { randomUUID } from 'node:crypto';
import { deadLetters, outbox } from '../db/schema';
import { parseEnvelope, type EventType } from '../events/catalogue';

export type DeadLetter = typeof deadLetters.$inferSelect;

/** Dead letters an operator has not replayed yet, newest first. */
export const listDeadLetters = (db: NodePgDatabase<Record<string, unknown>>, options: { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> =>
  db
    .select()
    .from(deadLetters)
    .where(options.includeReplayed ? undefined : isNull(deadLetters.replayedAt))
    .orderBy(desc(deadLetters.failedAt));

/**
 * Puts a dead letter back on the bus through the outbox, in one transaction with marking it
 * replayed. It gets a fresh `Nats-Msg-Id` (JetStream would drop the original id as a
 * duplicate) but keeps its event id, so consumers that already applied it skip it.
 */
export async function replayDeadLetter(db: NodePgDatabase<Record<string, unknown>>, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [letter] = await tx
      .select()
      .from(deadLetters)
      .where(and(eq(deadLetters.id, id), isNull(deadLetters.replayedAt)))
      .for('update');
    if (!letter) throw new Error(`no pending dead letter ${id}`);
    let payload: unknown;
    try {
      payload = parseEnvelope(letter.eventType as EventType, JSON.parse(letter.payload));
    } catch (err) {
      throw new Error(`dead letter ${id} is not a valid ${letter.eventType} event and cannot be replayed: ${String(err)}`);
    }
    await tx.insert(outbox).values({ msgId: randomUUID(), eventType: letter.eventType, payload });
    await tx.update(deadLetters).set({ replayedAt: new Date() }).where(eq(deadLetters.id, id));
  });
}
