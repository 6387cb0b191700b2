import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Events waiting to be published. A service inserts here in the same transaction as the state
 * change the event describes; the OutboxRelay publishes and deletes the row.
 * `msgId` is the JetStream `Nats-Msg-Id`: the event id, or a fresh id for a dead-letter replay.
 */
export const outbox = pgTable('outbox', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  msgId: uuid('msg_id').notNull().unique(),
  eventType: text('event_type').notNull(),
  payload: jsonb('payload').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Events a consumer has applied, recorded in the handler's transaction: the idempotency key. */
export const processedEvents = pgTable(
  'processed_events',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] }), index('processed_events_processed_at_idx').on(t.processedAt)],
);

/** Messages a consumer gave up on (invalid, or failed `maxDeliver` times), kept for an operator. */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    consumer: text('consumer').notNull(),
    subject: text('subject').notNull(),
    eventType: text('event_type').notNull(),
    eventId: text('event_id'),
    /** The message body exactly as received (it may not even be JSON). */
    payload: text('payload').notNull(),
    error: text('error').notNull(),
    deliveries: integer('deliveries').notNull(),
    failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow(),
    /** Where the message sat in the stream, so a replay can order itself like the original. */
    streamSequence: bigint('stream_sequence', { mode: 'number' }),
    /** Set by an operator (`dead-letters replay`); the running service re-runs the event and sets `replayedAt`. */
    replayRequestedAt: timestamp('replay_requested_at', { withTimezone: true }),
    replayedAt: timestamp('replayed_at', { withTimezone: true }),
  },
  (t) => [index('dead_letters_pending_idx').on(t.failedAt)],
);

/**
 * What a consumer has seen of an event it has not applied yet, kept in the service's database
 * so it survives a restart and a hand-over to another replica: since when it has been waiting
 * for a predecessor (RetryLater), and how many real failures it has had. The row is deleted in
 * the transaction that applies (or dead-letters) the event.
 */
export const eventAttempts = pgTable(
  'event_attempts',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    /** When this consumer first found it could not apply the event yet (null: never waited). */
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    waitReason: text('wait_reason'),
    /** Handler failures other than "not yet"; the event is parked when it reaches `maxDeliver`. */
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] }), index('event_attempts_waiting_since_idx').on(t.waitingSince)],
);
