import { randomUUID } from 'node:crypto';
import type { DbExecutor } from '../db/database';
import { eventCatalogue, type EventData, type EventEnvelope, type EventType } from '../events/catalogue';
import { outbox } from '../db/schema';
import { preparedStatement, type Params } from '../db/prepared-statement';
import { currentTraceFields } from '../tracing/propagation';

/**
 * The Postgres channel the OutboxRelay listens on. An insert into `outbox` NOTIFYs it (trigger
 * in common/drizzle/0001), and Postgres delivers that when the writer commits.
 */
export const OUTBOX_CHANNEL = 'microtick_outbox';

const insertOutbox = preparedStatement('outbox_insert', (db, p: Params<{ msgId: string; eventType: string; payload: EventEnvelope }>) =>
  db.insert(outbox).values({ msgId: p('msgId'), eventType: p('eventType'), payload: p('payload') }),
);

/**
 * Stages an event in the caller's transaction: it is published if and only if the transaction
 * commits. The payload is validated here, so a bad event fails the write instead of the bus.
 */
export async function addToOutbox<T extends EventType>(tx: DbExecutor, type: T, data: EventData<T>): Promise<EventEnvelope<T>> {
  const envelope: EventEnvelope<T> = {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    data: eventCatalogue[type].parse(data) as EventData<T>,
    // The staging request's or event's trace continues from here when the relay publishes.
    ...currentTraceFields(),
  };
  // The table's trigger sends the NOTIFY that wakes the relay (delivered at commit).
  await insertOutbox.execute(tx, { msgId: envelope.id, eventType: type, payload: envelope });
  return envelope;
}
