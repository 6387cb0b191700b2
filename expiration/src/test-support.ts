/**
 * Test set-up for expiration against the real Redis and NATS: a private JetStream stream and
 * subject prefix, a private Redis key prefix, and helpers to publish events and watch what the
 * service publishes. `destroy()` removes every trace.
 */
import { randomUUID } from 'node:crypto';
import {
  connectEventBus,
  localNatsCredentials,
  localRedisCredentials,
  ListenerRunner,
  RedisListenerStore,
  ServiceMetrics,
  type AnyListener,
  type EventBus,
  type EventData,
  type EventEnvelope,
  type EventType,
} from '@microtick/common';
import { NATS_ADMIN, NATS_URL, REDIS_URL, silentLogger } from '@microtick/common/testing';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from './config';
import { registerExpirationMetrics, type ExpirationMetrics } from './expiration/expiration-metrics';
import { createExpirationQueue, type DeadlineJob, type ExpirationQueue } from './expiration/expiration-queue';
import { RecentlyFired } from './expiration/recently-fired';
import { RedisExpirationTimers, type ExpirationTimers } from './expiration/expiration-timers';
import { startExpirationWorker } from './expiration/expiration.worker';
import type { ExpirationHandlerContext } from './expiration/handler-context';
import { listeners as expirationListeners } from './events/listeners';


export { REDIS_URL };

/** An expiration:complete as a subscriber saw it, and when. */
export interface ReceivedExpiration {
  envelope: EventEnvelope<'expiration:complete'>;
  receivedAt: number;
}

export interface ExpirationTestKit {
  /** Settings that point a whole service at this kit's stream and key prefix. */
  config: Config;
  bus: EventBus;
  redis: Redis;
  keyPrefix: string;
  queue: ExpirationQueue;
  timers: RedisExpirationTimers;
  /** The timers the kit's worker fired, shared with `timers` as in the service. */
  fired: RecentlyFired;
  /** Every expiration:complete publish seen on the subject (duplicates JetStream dropped included). */
  received: ReceivedExpiration[];
  startWorker(metrics?: ExpirationMetrics): Promise<Worker<DeadlineJob, void>>;
  /** Runs listeners (the service's by default) through the real ListenerRunner and a RedisListenerStore. */
  startListeners(options?: { listeners?: readonly AnyListener<ExpirationHandlerContext>[]; timers?: ExpirationTimers }): Promise<ServiceMetrics>;
  /** Publishes an event as its real publisher would, with its id as `Nats-Msg-Id`. */
  publish<T extends EventType>(type: T, data: EventData<T>): Promise<EventEnvelope<T>>;
  /** Publishes an existing envelope again under a new message id (JetStream de-dup does not catch it). */
  redeliver(envelope: EventEnvelope): Promise<void>;
  /** The expiration:complete events the stream stored, oldest first. */
  storedExpirations(): Promise<EventEnvelope<'expiration:complete'>[]>;
  /** Creates the stream again, as any service starting up would, after a test deleted it. */
  recreateStream(): Promise<void>;
  destroy(): Promise<void>;
}

export async function createExpirationTestKit(): Promise<ExpirationTestKit> {
  const unique = `${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
  const serviceNats = localNatsCredentials('expiration');
  const serviceRedis = localRedisCredentials('expiration');
  const config: Config = {
    NODE_ENV: 'test',
    PORT: 0,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NATS_URL,
    // A service started from this config runs as expiration, with exactly its permissions.
    NATS_USER: serviceNats?.user,
    NATS_PASSWORD: serviceNats?.password,
    REDIS_USERNAME: serviceRedis?.user,
    REDIS_PASSWORD: serviceRedis?.password,
    NATS_STREAM: `TEST_expiration_${unique}`,
    NATS_STREAM_REPLICAS: 1,
    NATS_STREAM_MAX_AGE_HOURS: 7 * 24,
    NATS_STREAM_MAX_BYTES: -1,
    NATS_SUBJECT_PREFIX: `test_expiration_${unique}`,
    REDIS_URL,
    REDIS_KEY_PREFIX: `mt_test_expiration_${unique}`,
  };
  const connect = (name: string) =>
    connectEventBus({
      url: config.NATS_URL,
      stream: config.NATS_STREAM,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      // The settings the service will find (it may only check them, as expiration's identity).
      maxAgeMs: config.NATS_STREAM_MAX_AGE_HOURS * 3600_000,
      maxBytes: config.NATS_STREAM_MAX_BYTES,
      name,
      logger: silentLogger,
      credentials: NATS_ADMIN,
    });
  const bus = await connect(`test-expiration-${unique}`);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const keyPrefix = config.REDIS_KEY_PREFIX;
  const queue = createExpirationQueue(redis, keyPrefix);
  const fired = new RecentlyFired();
  const timers = new RedisExpirationTimers(queue, redis, keyPrefix, fired);
  const stops: (() => Promise<unknown>)[] = [];

  const received: ReceivedExpiration[] = [];
  const subscription = bus.nc.subscribe(bus.subjectFor('expiration:complete'), {
    callback: (err, msg) => {
      if (!err) received.push({ envelope: msg.json<EventEnvelope<'expiration:complete'>>(), receivedAt: Date.now() });
    },
  });
  await bus.nc.flush();

  const redeliver = async (envelope: EventEnvelope) => {
    await bus.js.publish(bus.subjectFor(envelope.type), JSON.stringify(envelope), { msgID: randomUUID() });
  };

  return {
    config,
    bus,
    redis,
    keyPrefix,
    queue,
    timers,
    fired,
    received,
    async startWorker(metrics = registerExpirationMetrics(new ServiceMetrics('test').registry)) {
      const worker = startExpirationWorker({ redis, keyPrefix, bus, logger: silentLogger, metrics, fired });
      stops.push(() => worker.close());
      await worker.waitUntilReady();
      return worker;
    },
    async startListeners(options = {}) {
      const metrics = new ServiceMetrics('test');
      const runner = new ListenerRunner({
        service: 'expiration',
        bus,
        store: new RedisListenerStore({ redis, keyPrefix, service: 'expiration', deps: { timers: options.timers ?? timers } }),
        listeners: options.listeners ?? expirationListeners,
        logger: silentLogger,
        metrics,
      });
      stops.push(() => runner.stop());
      await runner.start();
      return metrics;
    },
    async publish(type, data) {
      const envelope = { id: randomUUID(), type, occurredAt: new Date().toISOString(), data };
      await bus.js.publish(bus.subjectFor(type), JSON.stringify(envelope), { msgID: envelope.id });
      return envelope;
    },
    redeliver,
    async storedExpirations() {
      const subject = bus.subjectFor('expiration:complete');
      const { state } = await bus.jsm.streams.info(bus.stream);
      const events: EventEnvelope<'expiration:complete'>[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
        const message = await bus.jsm.streams.getMessage(bus.stream, { seq });
        if (message?.subject === subject) events.push(message.json());
      }
      return events;
    },
    async recreateStream() {
      const other = await connect(`test-expiration-${unique}-recreate`);
      await other.close();
    },
    async destroy() {
      for (const stop of stops.splice(0).reverse()) await stop();
      await queue.obliterate({ force: true });
      for await (const keys of redis.scanStream({ match: `${keyPrefix}:*`, count: 500 })) {
        if (keys.length) await redis.del(...keys);
      }
      await queue.close();
      await redis.quit();
      subscription.unsubscribe();
      await bus.jsm.streams.delete(bus.stream).catch(() => undefined);
      await bus.close();
    },
  };
}

/** An order:created payload, expiring after `expiresInMs` (negative: already expired). */
export const orderCreatedData = (expiresInMs: number, orderId: string = randomUUID()): EventData<'order:created'> => ({
  id: orderId,
  version: 0,
  status: 'created',
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  ticket: { id: randomUUID(), price: 19.99 },
});

/** How many events the runner handled with each outcome (processed, duplicate, dead_lettered …). */
export async function handledOutcomes(metrics: ServiceMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.eventsHandled.get();
  const outcomes: Record<string, number> = {};
  for (const { labels, value } of values) outcomes[String(labels.outcome)] = (outcomes[String(labels.outcome)] ?? 0) + value;
  return outcomes;
}
