import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { DbExecutor } from '../db/database';
import { afterCommit, poolOfTransaction, sendWithCommit, writeWithCommit, type CommitRows } from '../db/pipelined-transaction';
import { eventCatalogue, type EventData, type EventEnvelope, type EventType } from '../events/catalogue';
import { outbox } from '../db/schema';
import { preparedStatement, sqlStatement, type Params } from '../db/prepared-statement';
import { currentTraceFields } from '../tracing/propagation';

/**
 * The Postgres channel a relay that claims every row (publishOnCommit: false) listens on.
 * addToOutbox NOTIFYs it whenever no relay of the writer's pool publishes the event at commit;
 * Postgres delivers it when the writer commits.
 */
export const OUTBOX_CHANNEL = 'microtick_outbox';

const insertOutbox = preparedStatement('outbox_insert', (db, p: Params<{ msgId: string; eventType: string; payload: EventEnvelope }>) =>
  db.insert(outbox).values({ msgId: p('msgId'), eventType: p('eventType'), payload: p('payload') }),
);

/** Several rows in one statement, in the order staged (their `seq` follows it, and so does the relay's claim). */
const insertOutboxRows = sqlStatement<[rows: string]>(
  'outbox_insert_rows',
  `insert into outbox (msg_id, event_type, payload)
   select (staged.row ->> 'msgId')::uuid, staged.row ->> 'eventType', staged.row -> 'payload'
   from jsonb_array_elements($1::jsonb) with ordinality as staged(row, n) order by staged.n`,
);

/** A transaction's outbox rows, written with its COMMIT: one statement for however many events it staged. */
const outboxRows: CommitRows<StagedEvent> = {
  send: (tx, rows) =>
    rows.length === 1 ? insertOutbox.execute(tx as DbExecutor, rows[0]!) : insertOutboxRows.execute(tx as DbExecutor, [JSON.stringify(rows)]),
};

const notifyOutbox = sqlStatement<[channel: string]>('outbox_notify', 'select pg_notify($1, \'\')');

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
 * COMMIT, together with every other row the transaction staged (nothing in the transaction reads
 * them back, so they cost no round trip of their own and one statement in all; if it is refused
 * the transaction fails with its error), and the event goes to the pool's relay the
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
  const staged: StagedEvent = { msgId: envelope.id, eventType: type, payload: envelope };
  if (!writeWithCommit(tx, outboxRows, staged)) await insertOutbox.execute(tx, staged);
  // A relay publishing this pool's commits is handed the event below; any other relay has to be
  // woken to claim its row. A NOTIFY costs the transaction ~40-80 us of Postgres CPU and a
  // cluster-wide lock at commit, so it is sent only then (common/drizzle/0003).
  const pool = poolOfTransaction(tx);
  if (!pool || !publishers.has(pool)) await sendOrRun(tx, () => notifyOutbox.execute(tx, [OUTBOX_CHANNEL]));
  afterCommit(tx, (committedOn) => publishers.get(committedOn)?.publishCommitted(staged));
  return envelope;
}

/** A statement nothing in the transaction reads back: with COMMIT in a pipelined transaction, else now. */
async function sendOrRun(tx: DbExecutor, send: () => Promise<unknown>): Promise<void> {
  if (!sendWithCommit(tx, send)) await send();
}
