import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DbExecutor } from '../db/database';
import { afterCommit, sendWithCommit } from '../db/pipelined-transaction';
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

/** An event as staged in the outbox, for publishing it once its transaction has committed. */
export interface StagedEvent {
  msgId: string;
  eventType: EventType;
  payload: EventEnvelope;
}

/** Publishes a committed transaction's staged events at once (the OutboxRelay of the pool it ran on). */
export interface CommittedEventPublisher {
  publishCommitted(event: StagedEvent): void;
}

const publishers = new WeakMap<pg.Pool, CommittedEventPublisher>();

/** From now on, events staged in transactions on `pool` go to `publisher` as soon as they commit. */
export function publishOnCommit(pool: pg.Pool, publisher: CommittedEventPublisher): void {
  publishers.set(pool, publisher);
}

/** Undoes publishOnCommit (if `publisher` is still the one registered). */
export function stopPublishingOnCommit(pool: pg.Pool, publisher: CommittedEventPublisher): void {
  if (publishers.get(pool) === publisher) publishers.delete(pool);
}

/**
 * Stages an event in the caller's transaction: it is published if and only if the transaction
 * commits. The payload is validated here, so a bad event fails the write instead of the bus.
 * In a pipelined transaction (db.transaction, listener transactions) its row is written with
 * COMMIT (nothing in the transaction reads it back, so it costs no round trip of its own; if it
 * is refused the transaction fails with its error), and the event goes to the pool's relay the
 * moment COMMIT succeeds, which publishes it straight away; otherwise (or if that fails) the
 * relay finds its row in the outbox.
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
  const insert = () => insertOutbox.execute(tx, { msgId: envelope.id, eventType: type, payload: envelope });
  if (!sendWithCommit(tx, insert)) await insert();
  const staged: StagedEvent = { msgId: envelope.id, eventType: type, payload: envelope };
  afterCommit(tx, (pool) => publishers.get(pool)?.publishCommitted(staged));
  return envelope;
}
