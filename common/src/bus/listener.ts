import type { DbExecutor } from '../db/database';
import type { EventEnvelope, EventType } from '../events/catalogue';
import type { Logger } from '../logger';

/** What a handler gets besides the event: the transaction to write through, and a logger. */
export interface HandlerContext {
  tx: DbExecutor;
  logger: Logger;
}

/**
 * A service's reaction to one event type. The runner gives it durability, idempotency,
 * ordering retries, dead-lettering, metrics and logging; the handler only writes through `tx`.
 * Throwing means "not done": the transaction rolls back and the event is redelivered.
 */
/** Where a message sits in the stream, for handlers that must order events of different types. */
export interface Delivery {
  /** The message's sequence number in the stream (publish order across every subject). */
  streamSequence: number;
  /**
   * When this process first received the message (ms since the epoch): a handler's own wait
   * budget counts from here, not from when the message was written, so waiting after an outage
   * is not mistaken for waiting too long.
   */
  firstSeenAt: number;
  /**
   * True once this service has applied every `event` published before this message (its consumer
   * has nothing older pending). Events of different types arrive on different consumers, so a
   * handler that must see them in publish order asks this and throws RetryLater while it is false.
   */
  caughtUpWith(event: EventType): Promise<boolean>;
}

export interface Listener<T extends EventType = EventType, Ctx = HandlerContext> {
  event: T;
  handle(event: EventEnvelope<T>, ctx: Ctx, delivery: Delivery): Promise<void>;
  /**
   * Real failures (throws other than RetryLater) before the event is parked as a dead letter
   * (default 10). "Not yet" retries never count towards it.
   */
  maxDeliver?: number;
  /**
   * How long waiting for a predecessor (RetryLater) is normal (default 5 minutes). Past it the
   * wait is logged as a warning and shows in `listener_oldest_waiting_event_age_seconds`, but
   * the event keeps waiting: after an outage waiting is normal, and a predecessor that never
   * comes is itself a dead letter, whose replay releases the events waiting for it.
   */
  maxWaitMs?: number;
  /** How long JetStream waits for an ack before redelivering (default 30 s). */
  ackWaitMs?: number;
  /**
   * Applies several events at once (e.g. one bulk write instead of one per event), with the
   * effect of `handle` on each of them in stream order. Used when the store can run it
   * (`runTogether`); all or nothing: when it throws, the runner handles the events one by one
   * with `handle`, so retries, waits and dead letters stay per event. Gets only events not yet
   * processed.
   */
  handleBatch?(events: EventEnvelope<T>[], ctx: Ctx, deliveries: Delivery[]): Promise<void>;
  /**
   * How long the first message of a batch waits for more to join it (default 0: what has
   * arrived by the next turn of the event loop), where batches share something: a
   * `handleBatch` call, or the store's transaction (`runBatch`). For events whose effect is not
   * needed at once (a timer armed for minutes later, a cancellation), so that batches form at a
   * trickle too, not only in a backlog.
   */
  batchWindowMs?: number;
  /**
   * The most events of one batch (default: the runner's `batchSize`, 20). For a listener whose
   * window gathers more than that at the rates it is built for: each batch costs its transaction
   * (BEGIN and claims, COMMIT), its pool connection and its acks' write, or its Redis round trips,
   * whatever its size, so fewer, larger batches cost less per event.
   */
  batchSize?: number;
}

export const defineListener = <T extends EventType, Ctx = HandlerContext>(listener: Listener<T, Ctx>): Listener<T, Ctx> => listener;

/**
 * A listener of any event type, as collected in a service's `listeners` array (assignable from
 * every `Listener<T>` because `handle` is declared with method syntax).
 */
export type AnyListener<Ctx = HandlerContext> = Listener<EventType, Ctx>;

/** A message the runner gave up on, as recorded for an operator. */
export interface NewDeadLetter {
  consumer: string;
  subject: string;
  eventType: EventType;
  eventId?: string;
  payload: string;
  error: string;
  deliveries: number;
  /** The message's stream sequence, so a replay can order itself as the original would have. */
  streamSequence?: number;
}

/** Per consumer: how many events wait for a predecessor, and since when the oldest does. */
export interface WaitingSummary {
  consumer: string;
  count: number;
  oldestSince: Date;
}

/**
 * Where a consumer records what it has done: `runOnce` runs the handler at most once per
 * (consumer, event id) and reports a repeat as `duplicate`; `deadLetter` parks a message.
 * Postgres services use `PostgresListenerStore` (both in the handler's transaction).
 *
 * The optional members keep an event's attempts (waits and real failures) where every replica
 * and every restart sees them. A store without them leaves the runner to count in memory.
 */
export interface ListenerStore<Ctx> {
  runOnce(
    consumer: string,
    eventId: string,
    logger: Logger,
    handle: (ctx: Ctx) => Promise<void>,
    options?: { redelivered: boolean },
  ): Promise<'processed' | 'duplicate'>;
  /**
   * Runs several events of one consumer together, in stream order, each at most once, with the
   * same guarantees as `runOnce` for each: one that throws is undone alone and reported as
   * failed. Throws only when the batch as a whole could not be committed (nothing was applied).
   */
  runBatch?(consumer: string, items: readonly BatchItem<Ctx>[], logger: Logger): Promise<BatchOutcome[]>;
  /**
   * Runs one handler for several events of one consumer (a listener's `handleBatch`), in stream
   * order, at most once per event: `handle` gets the indexes of the items not processed before
   * (ascending; none = not called) and the events are recorded as processed only if it succeeds.
   * Throws when it fails, and then none of them is recorded as processed.
   */
  runTogether?(consumer: string, items: readonly Pick<BatchItem<Ctx>, 'eventId'>[], logger: Logger, handle: (indexes: number[], ctx: Ctx) => Promise<void>): Promise<('processed' | 'duplicate')[]>;
  deadLetter(letter: NewDeadLetter): Promise<void>;
  /** Records that the event is waiting for a predecessor (the first time only); returns since when it has been. */
  noteWaiting?(consumer: string, eventId: string, reason: string): Promise<Date>;
  /** Counts one real failure of the event; returns how many it has had. */
  countFailure?(consumer: string, eventId: string, error: string): Promise<number>;
  waitingSummary?(): Promise<WaitingSummary[]>;
  /**
   * Takes one dead letter of these consumers whose replay an operator requested and runs
   * `handle` on it in one transaction with its processed mark and its "replayed" mark. Returns
   * false when there is none. A throw leaves it requested (RetryLater) or records the error.
   */
  replayRequested?(consumers: readonly string[], logger: Logger, handle: (letter: RequestedReplay, ctx: Ctx) => Promise<void>): Promise<boolean>;
}

/** One event of a batch: its id, whether JetStream delivered it before, and its handler. */
export interface BatchItem<Ctx> {
  eventId: string;
  redelivered: boolean;
  /** The logger the handler gets (with the event's fields); the batch's otherwise. */
  logger?: Logger;
  handle(ctx: Ctx): Promise<void>;
}

/** What became of one event of a batch; a failed one was rolled back alone. */
export type BatchOutcome = { outcome: 'processed' | 'duplicate' } | { outcome: 'failed'; error: unknown };

export interface RequestedReplay {
  id: string;
  consumer: string;
  payload: string;
  streamSequence: number | null;
}

/**
 * Thrown by a handler that cannot apply an event yet, typically because it is ahead of the
 * replica's version. The event is nak'ed with a short delay and redelivered, never dropped.
 */
export class RetryLater extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryLater';
  }
}

/** Durable consumer name: `<service>-<event>` with hyphens, e.g. `orders-ticket-created`. */
export const durableName = (service: string, event: EventType): string => `${service}-${event.replace(':', '-')}`;
