import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { parseEnvelope, type EventType } from '../events/catalogue';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { withConsumerSpan } from '../tracing/propagation';
import { isNotFound, type EventBus } from './event-bus';
import { durableName, RetryLater, type AnyListener, type Delivery, type ListenerStore } from './listener';

export interface ListenerRunnerOptions<Ctx> {
  service: string;
  bus: EventBus;
  store: ListenerStore<Ctx>;
  listeners: readonly AnyListener<Ctx>[];
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Messages handled at once per consumer; ordering between them is the handlers' version checks. */
  concurrency?: number;
}

const DEFAULT_MAX_DELIVER = 10;
const DEFAULT_MAX_WAIT_MS = 5 * 60_000;
const DEFAULT_ACK_WAIT_MS = 30_000;

/** Exponential backoff for redeliveries: "not yet" retries quickly, failures more slowly. */
const retryDelayMs = (deliveries: number, kind: 'not-yet' | 'failure'): number =>
  kind === 'not-yet' ? Math.min(50 * 2 ** (deliveries - 1), 2_000) : Math.min(500 * 2 ** (deliveries - 1), 15_000);

/**
 * Runs listeners on durable pull consumers, one per (service, event). Per message, always in
 * this order: the store opens a transaction → records (event id, consumer) as processed
 * (already there: ack and stop) → handle → commit → ack. A throw rolls back and naks with backoff; after
 * `maxDeliver` deliveries, or at once for a message that is not a valid event, the message is
 * parked in `dead_letters` and terminated so the queue keeps moving. An event that is
 * not applicable yet (RetryLater) is retried quickly and parked only after `maxWaitMs`.
 */
export class ListenerRunner<Ctx> {
  private readonly subscriptions: ConsumerMessages[] = [];
  /** Highest stream sequence among the messages this runner has received. */
  private highestSeen = 0;
  /** Per other consumer: every message up to this stream sequence is known to be applied. */
  private readonly caughtUpThrough = new Map<string, number>();
  private readonly progressRequests = new Map<string, Promise<void>>();
  private readonly loops: Promise<void>[] = [];
  /** Per `consumer:seq` not settled yet: when this process first received it (see Delivery.firstSeenAt). */
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly options: ListenerRunnerOptions<Ctx>) {}

  async start(): Promise<void> {
    for (const listener of this.options.listeners) {
      const consumer = await this.ensureConsumer(listener);
      const messages = await this.options.bus.js.consumers
        .get(this.options.bus.stream, consumer)
        // Short pulls (heartbeat every 2.5 s): after a NATS restart a lost pull request is noticed
        // and renewed within seconds, instead of the default 30 s.
        .then((c) => c.consume({ max_messages: Math.max(8, (this.options.concurrency ?? 8) * 2), expires: 5_000 }));
      this.subscriptions.push(messages);
      this.loops.push(this.run(listener, consumer, messages));
    }
  }

  /** Stops taking messages, then waits for those in flight to be settled. */
  async stop(): Promise<void> {
    for (const messages of this.subscriptions) messages.stop();
    await Promise.allSettled(this.loops);
  }

  private async ensureConsumer(listener: AnyListener<Ctx>): Promise<string> {
    const { bus, service } = this.options;
    const name = durableName(service, listener.event);
    const config = {
      ack_wait: nanos(listener.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
      // Unlimited on the server: the runner decides when to give up, and gives up by parking the
      // message in the dead-letter table. A server-side limit would drop the message silently
      // if the process died during the last attempt.
      max_deliver: -1,
      max_ack_pending: 1_000,
    };
    try {
      await bus.jsm.consumers.info(bus.stream, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await bus.jsm.consumers.add(bus.stream, {
        ...config,
        durable_name: name,
        filter_subject: bus.subjectFor(listener.event),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      return name;
    }
    // An existing durable keeps its position; bring its tunables up to date.
    await bus.jsm.consumers.update(bus.stream, name, config).catch((err: unknown) => {
      this.options.logger.warn({ err, consumer: name }, 'could not update consumer settings; keeping the old ones');
    });
    return name;
  }

  private async run(listener: AnyListener<Ctx>, consumer: string, messages: ConsumerMessages): Promise<void> {
    const limit = this.options.concurrency ?? 8;
    const inFlight = new Set<Promise<void>>();
    for await (const msg of messages) {
      this.highestSeen = Math.max(this.highestSeen, msg.seq);
      const task = this.handle(listener, consumer, msg).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.allSettled(inFlight);
  }

  private async handle(listener: AnyListener<Ctx>, consumer: string, msg: JsMsg): Promise<void> {
    const { store, metrics } = this.options;
    const logger = this.options.logger.child({ consumer, seq: msg.seq });
    const deliveries = msg.info.deliveryCount;
    const maxDeliver = listener.maxDeliver ?? DEFAULT_MAX_DELIVER;
    const maxWaitMs = listener.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    const count = (outcome: string) => metrics?.eventsHandled.inc({ consumer, outcome });

    let event;
    try {
      event = parseEnvelope(listener.event, msg.json());
    } catch (err) {
      logger.error({ err }, 'invalid event: dead-lettered');
      await this.deadLetter(consumer, listener.event, msg, undefined, `invalid event: ${errorText(err)}`);
      count('dead_lettered');
      return;
    }

    const timer = metrics?.eventHandleDuration.startTimer({ consumer });
    const seenKey = `${consumer}:${msg.seq}`;
    let settled = false;
    try {
      const delivery = this.deliveryOf(msg, this.noteFirstSeen(seenKey));
      const outcome = await withConsumerSpan({ msg, consumer, type: listener.event, eventId: event.id, envelope: event }, () =>
        store.runOnce(consumer, event.id, logger.child({ eventId: event.id }), (ctx) => listener.handle(event, ctx, delivery)),
      );
      msg.ack();
      settled = true;
      count(outcome);
      logger.debug({ eventId: event.id, outcome }, 'event handled');
    } catch (err) {
      const notYet = err instanceof RetryLater;
      const waitedMs = Date.now() - Number(msg.info.timestampNanos) / 1e6;
      if (notYet ? waitedMs >= maxWaitMs : deliveries >= maxDeliver) {
        logger.error({ err, eventId: event.id, deliveries, waitedMs }, 'event failed too often or waited too long: dead-lettered');
        await this.deadLetter(consumer, listener.event, msg, event.id, errorText(err));
        settled = true;
        count('dead_lettered');
      } else {
        if (notYet) logger.debug({ reason: err.message, deliveries }, 'event not applicable yet');
        else logger.warn({ err, eventId: event.id, deliveries }, 'event handler failed; will retry');
        msg.nak(retryDelayMs(deliveries, notYet ? 'not-yet' : 'failure'));
        count(notYet ? 'retry' : 'failed');
      }
    } finally {
      if (settled) this.firstSeen.delete(seenKey);
      timer?.();
    }
  }

  private noteFirstSeen(key: string): number {
    const known = this.firstSeen.get(key);
    if (known !== undefined) return known;
    const now = Date.now();
    // A message nak'ed here and then settled by another replica leaves its entry behind: forget
    // entries older than an hour once the map grows, so it stays bounded.
    if (this.firstSeen.size > 10_000) for (const [k, at] of this.firstSeen) if (now - at > 3_600_000) this.firstSeen.delete(k);
    this.firstSeen.set(key, now);
    return now;
  }

  private deliveryOf(msg: JsMsg, firstSeenAt: number): Delivery {
    return {
      streamSequence: msg.seq,
      firstSeenAt,
      caughtUpWith: async (other) => {
        const consumer = durableName(this.options.service, other);
        if ((this.caughtUpThrough.get(consumer) ?? 0) >= msg.seq) return true;
        await this.refreshProgress(consumer);
        return (this.caughtUpThrough.get(consumer) ?? 0) >= msg.seq;
      },
    };
  }

  /**
   * Asks JetStream how far `consumer` has got; concurrent askers share one request, and the
   * answer is kept (progress only grows), so a burst of events costs a few requests, not one
   * each. An idle consumer has applied everything published before the request, which includes
   * every message this runner had received by then.
   */
  private refreshProgress(consumer: string): Promise<void> {
    let request = this.progressRequests.get(consumer);
    if (!request) {
      const seenBefore = this.highestSeen;
      request = this.options.bus.jsm.consumers
        .info(this.options.bus.stream, consumer)
        .then((info) => {
          const idle = info.num_pending === 0 && info.num_ack_pending === 0;
          const through = Math.max(info.ack_floor.stream_seq, idle ? seenBefore : 0);
          this.caughtUpThrough.set(consumer, Math.max(this.caughtUpThrough.get(consumer) ?? 0, through));
        })
        .finally(() => this.progressRequests.delete(consumer));
      this.progressRequests.set(consumer, request);
    }
    return request;
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
      });
      msg.term();
    } catch (err) {
      this.options.logger.error({ err, consumer }, 'cannot record dead letter; will retry');
      msg.nak(5_000);
    }
  }
}

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
