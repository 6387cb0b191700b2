import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { parseEnvelope, type EventType } from '../events/catalogue';
import type { Logger } from '../logger';
import { AttemptMemory } from './attempt-memory';
import { ConsumerProgress } from './consumer-progress';
import { ensureDurableConsumer, setConsumerGauges, type DurableConsumer } from './durable-consumers';
import type { ServiceMetrics } from '../metrics';
import { withConsumerSpan } from '../tracing/propagation';
import { isTracingEnabled } from '../tracing/state';
import type { EventBus } from './event-bus';
import { durableName, RetryLater, type AnyListener, type BatchOutcome, type Delivery, type ListenerStore } from './listener';

export interface ListenerRunnerOptions<Ctx> {
  service: string;
  bus: EventBus;
  store: ListenerStore<Ctx>;
  listeners: readonly AnyListener<Ctx>[];
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Batches handled at once per consumer; ordering between them is the handlers' version checks. */
  concurrency?: number;
  /**
   * The most messages of one consumer that share a transaction (default 20; a listener may set
   * its own), when the store can run batches (`runBatch`) or the listener handles them at once;
   * each is still applied at most once and undone alone if it fails.
   */
  batchSize?: number;
  /** Defaults for listeners that do not set their own `maxDeliver` (10) and `maxWaitMs` (5 minutes). */
  maxDeliver?: number;
  maxWaitMs?: number;
  /** How often the runner looks for dead letters an operator asked to replay (default 2 s). */
  replayPollMs?: number;
  /** How often the waiting and lag gauges are refreshed (default 15 s). */
  metricsIntervalMs?: number;
}

const DEFAULT_MAX_DELIVER = 10;
/** How long a wait for a predecessor is normal before it is logged (never a reason to park). */
const DEFAULT_MAX_WAIT_MS = 5 * 60_000;
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_BATCH_SIZE = 20;

/** Exponential backoff for redeliveries: "not yet" retries quickly, failures more slowly. */
const retryDelayMs = (deliveries: number, kind: 'not-yet' | 'failure'): number =>
  kind === 'not-yet' ? Math.min(50 * 2 ** (deliveries - 1), 2_000) : Math.min(500 * 2 ** (deliveries - 1), 15_000);

/**
 * Runs listeners on durable pull consumers, one per (service, event). Per message, always in
 * this order: the store opens a transaction → records (event id, consumer) as processed
 * (already there: ack and stop) → handle → commit → ack. A throw rolls back and naks with
 * backoff; after `maxDeliver` real failures, or at once for a message that is not a valid
 * event, the message is parked in `dead_letters` and terminated so the queue keeps moving.
 *
 * An event that is not applicable yet (RetryLater) is retried quickly and is never parked for
 * waiting: after an outage every consumer has a backlog and waiting is normal, not poison (a
 * budget counted from the message's publish time dead-lettered whole backlogs). The store
 * records since when this consumer has been waiting for it (surviving restarts and hand-overs
 * between replicas); past `maxWaitMs` that is logged, and the oldest wait is a metric to alert
 * on. A predecessor that never comes is a dead letter of its own: replaying it releases the
 * events waiting for it.
 */
export class ListenerRunner<Ctx> {
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly progress: ConsumerProgress;
  private readonly loops: Promise<void>[] = [];
  private readonly attempts = new AttemptMemory();
  private metricsTimer?: NodeJS.Timeout;
  private replayTimer?: NodeJS.Timeout;
  private replaying?: Promise<void>;
  private readonly consumers: DurableConsumer[] = [];

  constructor(private readonly options: ListenerRunnerOptions<Ctx>) {
    this.progress = new ConsumerProgress(options.bus, options.service);
  }

  async start(): Promise<void> {
    for (const listener of this.options.listeners) {
      const consumer = durableName(this.options.service, listener.event);
      const subject = this.options.bus.subjectFor(listener.event);
      await ensureDurableConsumer(this.options.bus, { name: consumer, subject }, listener.ackWaitMs ?? DEFAULT_ACK_WAIT_MS, this.options.logger);
      const messages = await this.options.bus.js.consumers
        .get(this.options.bus.stream, consumer)
        // Short pulls (heartbeat every 2.5 s): after a NATS restart a lost pull request is noticed
        // and renewed within seconds, instead of the default 30 s.
        .then((c) => c.consume({ max_messages: Math.max(16, this.batchSizeOf(listener) * 2), expires: 5_000 }));
      this.subscriptions.push(messages);
      this.consumers.push({ name: consumer, subject });
      this.loops.push(this.run(listener, consumer, messages));
    }
    if (this.options.store.replayRequested && this.options.listeners.length > 0) {
      this.replayTimer = setInterval(() => {
        this.replaying ??= this.replayRequested().finally(() => (this.replaying = undefined));
      }, this.options.replayPollMs ?? 2_000);
      this.replayTimer.unref();
    }
    if (this.options.metrics) {
      this.metricsTimer = setInterval(() => void this.refreshGauges(), this.options.metricsIntervalMs ?? 15_000);
      this.metricsTimer.unref();
      void this.refreshGauges();
    }
  }

  /** Stops taking messages, then waits for those in flight to be settled. */
  async stop(): Promise<void> {
    clearInterval(this.metricsTimer);
    clearInterval(this.replayTimer);
    await this.replaying;
    for (const messages of this.subscriptions) messages.stop();
    await Promise.allSettled(this.loops);
  }

  /**
   * Replays the dead letters an operator asked for (`dead-letters replay <id>`), in this process:
   * the stored event goes through its listener's handler with the usual idempotency, ordered by
   * its original stream sequence. Nothing is published, so no right to publish another
   * service's subject is needed. One still "not yet" stays requested for the next round.
   */
  private async replayRequested(): Promise<void> {
    const { store, listeners, service, logger } = this.options;
    const byConsumer = new Map(listeners.map((listener) => [durableName(service, listener.event), listener]));
    try {
      while (
        await store.replayRequested!([...byConsumer.keys()], logger, async (letter, ctx) => {
          const listener = byConsumer.get(letter.consumer)!;
          const event = parseEnvelope(listener.event, JSON.parse(letter.payload));
          await listener.handle(event, ctx, this.deliveryAt(letter.streamSequence ?? this.progress.latestSeen, Date.now()));
          logger.info({ deadLetter: letter.id, consumer: letter.consumer, eventId: event.id }, 'dead letter replayed');
        })
      );
    } catch (err) {
      if (err instanceof RetryLater) logger.info({ reason: err.message }, 'a dead letter to replay is not applicable yet; will retry');
      else logger.error({ err }, 'dead-letter replay failed; the letter keeps the new error');
    }
  }

  /** Refreshes the waiting and lag gauges (see setConsumerGauges). */
  async refreshGauges(): Promise<void> {
    const { metrics, store, bus, logger } = this.options;
    if (!metrics) return;
    try {
      const waiting = store.waitingSummary ? await store.waitingSummary() : this.attempts.waitingSummary();
      await setConsumerGauges(metrics, bus, this.consumers, waiting);
    } catch (err) {
      logger.warn({ err }, 'cannot refresh listener gauges');
    }
  }

  /**
   * Whether the listener's events go to its `handleBatch`: the store must be able to run it, and
   * tracing must be off (spans, and the trace context handlers pass on, are per event).
   */
  private handlesTogether(listener: AnyListener<Ctx>): boolean {
    return Boolean(listener.handleBatch && this.options.store.runTogether) && !isTracingEnabled();
  }

  /**
   * The most messages of one batch of this listener: its own `batchSize`, else the runner's; 1
   * where batches would share nothing (a store without runBatch, and no handleBatch to run).
   */
  private batchSizeOf(listener: AnyListener<Ctx>): number {
    if (!this.options.store.runBatch && !this.handlesTogether(listener)) return 1;
    return Math.max(1, Math.trunc(listener.batchSize ?? this.options.batchSize ?? DEFAULT_BATCH_SIZE));
  }

  /**
   * Takes messages as JetStream delivers them and hands them on in batches: whatever has arrived
   * by the next turn of the event loop is split over the free slots (`concurrency` batches at
   * once, each of at most `batchSize`). At a trickle every message is a batch of its own, as
   * before; a backlog, with every slot busy, shares transactions, which is where the round trips
   * per event go down.
   */
  private async run(listener: AnyListener<Ctx>, consumer: string, messages: ConsumerMessages): Promise<void> {
    const limit = this.options.concurrency ?? 8;
    const together = this.handlesTogether(listener);
    const batchSize = this.batchSizeOf(listener);
    // A window only where batches share something (a handleBatch call, or a store's transaction).
    const windowMs = batchSize > 1 ? (listener.batchWindowMs ?? 0) : 0;
    const inFlight = new Set<Promise<void>>();
    const waiting: JsMsg[] = [];
    /** Cancels the dispatch scheduled for what waits; unset when none is. */
    let scheduled: (() => void) | undefined;
    const dispatch = () => {
      scheduled = undefined;
      while (waiting.length > 0 && inFlight.size < limit) {
        // Spread over the free slots first (a message waits for its whole batch to commit, so
        // small parallel batches keep latency down); batches grow only while every slot is busy.
        // A listener that handles a batch at once, or waits for its batches to form, takes what
        // waits in one batch: that is its point.
        const size = together || windowMs > 0 ? batchSize : Math.min(batchSize, Math.ceil(waiting.length / (limit - inFlight.size)));
        const task: Promise<void> = this.handleBatch(listener, consumer, waiting.splice(0, size)).finally(() => {
          inFlight.delete(task);
          // What waits for a batch window is dispatched when the window ends.
          if (!scheduled) dispatch();
        });
        inFlight.add(task);
      }
    };
    for await (const msg of messages) {
      this.progress.saw(msg.seq);
      waiting.push(msg);
      if (windowMs > 0 && waiting.length >= batchSize && scheduled) {
        // A full batch does not wait out the window.
        scheduled();
        scheduled = undefined;
      }
      if (!scheduled) {
        if (windowMs > 0 && waiting.length < batchSize) {
          const timer = setTimeout(dispatch, windowMs);
          scheduled = () => clearTimeout(timer);
        } else {
          const immediate = setImmediate(dispatch);
          scheduled = () => clearImmediate(immediate);
        }
      }
      // Back-pressure: hold the iterator while every slot is busy and a full batch already waits.
      while (inFlight.size >= limit && waiting.length >= batchSize) await Promise.race(inFlight);
    }
    scheduled?.();
    dispatch();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  /**
   * One batch of messages of one consumer, in stream order. Invalid ones are parked at once; the
   * rest go to the listener's `handleBatch` (handleTogether) or through `handle` each (handleEach).
   */
  private async handleBatch(listener: AnyListener<Ctx>, consumer: string, msgs: JsMsg[]): Promise<void> {
    const { metrics } = this.options;
    const valid: ParsedMessage[] = [];
    for (const msg of msgs) {
      let event: ReturnType<typeof parseEnvelope>;
      try {
        event = parseEnvelope(listener.event, msg.json());
      } catch (err) {
        this.options.logger.error({ err, consumer, seq: msg.seq }, 'invalid event: dead-lettered');
        await this.deadLetter(consumer, listener.event, msg, undefined, `invalid event: ${errorText(err)}`);
        metrics?.eventsHandled.inc({ consumer, outcome: 'dead_lettered' });
        continue;
      }
      // One child logger per message, bound to everything its lines need (a child per field
      // was ~1 % of a consuming service's CPU).
      valid.push({ msg, event, logger: this.options.logger.child({ consumer, seq: msg.seq, eventId: event.id }) });
    }
    if (valid.length > 1 && this.handlesTogether(listener)) return this.handleTogether(listener, consumer, valid);
    return this.handleEach(listener, consumer, valid);
  }

  /**
   * Valid messages, each through `handle`: in one of the store's batches (`runBatch`) when there
   * are several, each then acked or retried on its own outcome; one by one when the store has no
   * batches or the batch could not be committed at all.
   */
  private async handleEach(listener: AnyListener<Ctx>, consumer: string, valid: ParsedMessage[]): Promise<void> {
    const { store, metrics } = this.options;
    if (valid.length === 1 || (valid.length > 1 && !store.runBatch)) {
      for (const { msg, event, logger } of valid) await this.handle(listener, consumer, msg, event, logger);
      return;
    }
    if (valid.length === 0) return;

    const timers = valid.map(() => metrics?.eventHandleDuration.startTimer({ consumer }));
    let outcomes: BatchOutcome[];
    try {
      outcomes = await store.runBatch!(
        consumer,
        valid.map(({ msg, event, logger }) => {
          const delivery = this.deliveryAt(msg.seq, this.attempts.firstSeen(consumer, event.id));
          return {
            eventId: event.id,
            redelivered: msg.info.deliveryCount > 1,
            logger,
            handle: (ctx: Ctx) =>
              withConsumerSpan({ msg, consumer, type: listener.event, eventId: event.id, envelope: event }, async () => {
                await listener.handle(event, ctx, delivery);
                return 'processed';
              }).then(() => undefined),
          };
        }),
        this.options.logger,
      );
    } catch (err) {
      this.options.logger.warn({ err, consumer, events: valid.length }, 'event batch could not be committed; handling its events one by one');
      timers.forEach((stop) => stop?.());
      for (const { msg, event, logger } of valid) await this.handle(listener, consumer, msg, event, logger);
      return;
    }
    // The applied ones are acked first, without awaiting in between: NATS sends what is written
    // within one turn of the microtask queue in one write, so the batch's acks cost one syscall
    // instead of one each. The failed ones are then settled one by one.
    const failed: number[] = [];
    for (const [i, { msg, event, logger }] of valid.entries()) {
      const result = outcomes[i]!;
      if (result.outcome === 'failed') failed.push(i);
      else {
        this.acknowledge(consumer, msg, event.id, logger, result.outcome);
        timers[i]?.();
      }
    }
    for (const i of failed) {
      const { msg, event, logger } = valid[i]!;
      await this.settle(listener, consumer, msg, event.id, logger, { error: (outcomes[i] as { error: unknown }).error });
      timers[i]?.();
    }
  }

  /**
   * A batch through the listener's `handleBatch`, at most once per event (the store's
   * `runTogether`). All or nothing: if it fails, each message goes through `handle` on its own
   * outcome (handleEach), so a failure, a wait or a dead letter is that one event's.
   */
  private async handleTogether(listener: AnyListener<Ctx>, consumer: string, valid: ParsedMessage[]): Promise<void> {
    const timer = this.options.metrics?.eventHandleDuration.startTimer({ consumer });
    let outcomes: ('processed' | 'duplicate')[];
    try {
      outcomes = await this.options.store.runTogether!(
        consumer,
        valid.map(({ msg, event }) => ({ eventId: event.id, redelivered: msg.info.deliveryCount > 1 })),
        this.options.logger,
        (indexes, ctx) =>
          listener.handleBatch!(
            indexes.map((i) => valid[i]!.event),
            ctx,
            indexes.map((i) => this.deliveryAt(valid[i]!.msg.seq, this.attempts.firstSeen(consumer, valid[i]!.event.id))),
          ),
      );
    } catch (err) {
      // Each event's own outcome, in one transaction where the store has batches (a savepoint
      // each) rather than one per event: what failed the batch is usually one event (an early
      // one), and the others should not each pay a transaction for it.
      this.options.logger.warn({ err, consumer, events: valid.length }, 'event batch failed; handling its events each on its own');
      return this.handleEach(listener, consumer, valid);
    }
    // As in handleBatch: the acks in one turn of the microtask queue, so one write.
    for (const [i, { msg, event, logger }] of valid.entries()) this.acknowledge(consumer, msg, event.id, logger, outcomes[i]!);
    timer?.();
  }

  /** One message in a transaction of its own. */
  private async handle(listener: AnyListener<Ctx>, consumer: string, msg: JsMsg, event: ReturnType<typeof parseEnvelope>, logger: Logger): Promise<void> {
    const timer = this.options.metrics?.eventHandleDuration.startTimer({ consumer });
    const delivery = this.deliveryAt(msg.seq, this.attempts.firstSeen(consumer, event.id));
    let result: { outcome: 'processed' | 'duplicate' } | { error: unknown };
    try {
      const outcome = await withConsumerSpan({ msg, consumer, type: listener.event, eventId: event.id, envelope: event }, () =>
        this.options.store.runOnce(consumer, event.id, logger, (ctx) => listener.handle(event, ctx, delivery), {
          redelivered: msg.info.deliveryCount > 1,
        }),
      );
      result = { outcome };
    } catch (error) {
      result = { error };
    }
    await this.settle(listener, consumer, msg, event.id, logger, result);
    timer?.();
  }

  /** Acks an applied (or already applied) message; otherwise a wait or a failure, counted apart. */
  private async settle(
    listener: AnyListener<Ctx>,
    consumer: string,
    msg: JsMsg,
    eventId: string,
    logger: Logger,
    result: { outcome: 'processed' | 'duplicate' } | { error: unknown },
  ): Promise<void> {
    const count = (outcome: string) => this.options.metrics?.eventsHandled.inc({ consumer, outcome });
    if ('outcome' in result) {
      this.acknowledge(consumer, msg, eventId, logger, result.outcome);
      return;
    }
    const err = result.error;
    if (err instanceof RetryLater) {
      await this.waitFor(consumer, eventId, msg, err, listener.maxWaitMs ?? this.options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, logger);
      count('retry');
    } else {
      count(await this.fail(consumer, listener.event, eventId, msg, err, listener.maxDeliver ?? this.options.maxDeliver ?? DEFAULT_MAX_DELIVER, logger));
    }
  }

  /** An applied (or already applied) message: acked, and its attempts forgotten. */
  private acknowledge(consumer: string, msg: JsMsg, eventId: string, logger: Logger, outcome: 'processed' | 'duplicate'): void {
    msg.ack();
    this.attempts.forget(consumer, eventId);
    this.options.metrics?.eventsHandled.inc({ consumer, outcome });
    logger.debug({ outcome }, 'event handled');
  }

  /** "Not yet": record since when this consumer waits (first time only), and come back soon. */
  private async waitFor(consumer: string, eventId: string, msg: JsMsg, err: RetryLater, maxWaitMs: number, logger: Logger): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    let since = this.attempts.waitingSince(consumer, eventId);
    if (!since) {
      try {
        since = (await this.options.store.noteWaiting?.(consumer, eventId, err.message)) ?? new Date();
      } catch (storeErr) {
        logger.warn({ err: storeErr }, 'cannot record a waiting event; will retry');
        since = new Date();
      }
    }
    this.attempts.noteWait(consumer, eventId, since);
    const waitedMs = Date.now() - since.getTime();
    if (waitedMs >= maxWaitMs && this.attempts.shouldWarn(consumer, eventId)) {
      logger.warn({ reason: err.message, waitedMs, deliveries }, 'event has waited longer than expected for a predecessor; still waiting');
    } else {
      logger.debug({ reason: err.message, deliveries }, 'event not applicable yet');
    }
    msg.nak(retryDelayMs(deliveries, 'not-yet'));
  }

  /** A real failure: counted apart from waits; parked once there were `maxDeliver` of them. */
  private async fail(
    consumer: string,
    eventType: EventType,
    eventId: string,
    msg: JsMsg,
    err: unknown,
    maxDeliver: number,
    logger: Logger,
  ): Promise<'failed' | 'dead_lettered'> {
    const { store } = this.options;
    let failures: number;
    try {
      failures = store.countFailure
        ? await store.countFailure(consumer, eventId, errorText(err).slice(0, 2_000))
        : msg.info.deliveryCount - this.attempts.waits(consumer, eventId);
    } catch (storeErr) {
      // The store itself is down (usually what made the handler fail): not the event's fault, so not counted.
      logger.warn({ err, storeErr }, 'event handler failed and the failure cannot be recorded; will retry');
      msg.nak(retryDelayMs(msg.info.deliveryCount, 'failure'));
      return 'failed';
    }
    if (failures >= maxDeliver) {
      logger.error({ err, failures, deliveries: msg.info.deliveryCount }, 'event failed too often: dead-lettered');
      await this.deadLetter(consumer, eventType, msg, eventId, errorText(err));
      this.attempts.forget(consumer, eventId);
      return 'dead_lettered';
    }
    logger.warn({ err, failures }, 'event handler failed; will retry');
    msg.nak(retryDelayMs(failures, 'failure'));
    return 'failed';
  }

  /** See ConsumerProgress.caughtUpWithStream. */
  caughtUpWithStream(event: EventType): Promise<boolean> {
    return this.progress.caughtUpWithStream(event);
  }

  private deliveryAt(seq: number, firstSeenAt: number): Delivery {
    return { streamSequence: seq, firstSeenAt, caughtUpWith: (other) => this.progress.caughtUpWith(other, seq) };
  }

  /** Parks the message; if even that fails (database down) it is nak'ed so nothing is lost. */
  private async deadLetter(consumer: string, eventType: EventType, msg: JsMsg, eventId: string | undefined, error: string): Promise<void> {
    try {
      await this.options.store.deadLetter({
        consumer,
        subject: msg.subject,
        eventType,
        eventId,
        payload: msg.string(),
        error: error.slice(0, 2_000),
        deliveries: msg.info.deliveryCount,
        streamSequence: msg.seq,
      });
      msg.term();
    } catch (err) {
      this.options.logger.error({ err, consumer }, 'cannot record dead letter; will retry');
      msg.nak(5_000);
    }
  }
}

/** A delivered message that is a valid event, with the logger bound to it. */
interface ParsedMessage {
  msg: JsMsg;
  event: ReturnType<typeof parseEnvelope>;
  logger: Logger;
}

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
