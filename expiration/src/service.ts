import {
  closeServer,
  connectEventBus,
  createLogger,
  Lifecycle,
  ListenerRunner,
  listen,
  natsCredentialsOf,
  ServiceMetrics,
  setUpServiceTracing,
  type RunningService,
} from '@microtick/common';
import { buildApp } from './app';
import type { Config } from './config';
import { registerExpirationMetrics } from './expiration-metrics';
import { createExpirationQueue } from './expiration-queue';
import { RedisExpirationTimers } from './expiration-timers';
import { startExpirationWorker } from './expiration.worker';
import { listeners } from './events/listeners';
import { RedisListenerStore } from './events/redis-listener-store';
import { connectRedis } from './redis';

const SERVICE = 'expiration';

/**
 * Composes the service, each step registering how to undo itself: NATS → Redis → queue →
 * worker → listeners → HTTP. Stopping runs them in reverse: stop accepting requests, stop the
 * consumers and let in-flight events settle, let the worker finish its running jobs (they need
 * Redis and NATS), close the queue and Redis, drain NATS. If a step fails, what already started
 * is stopped before the error is rethrown.
 */
export async function startExpirationService(config: Config, options: { handleSignals?: boolean } = {}): Promise<RunningService> {
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const metrics = new ServiceMetrics(SERVICE);
  const lifecycle = new Lifecycle(logger);
  if (options.handleSignals) lifecycle.handleSignals();
  setUpServiceTracing(SERVICE, logger, lifecycle);

  try {
    const bus = await connectEventBus({
      url: config.NATS_URL,
      stream: config.NATS_STREAM,
      replicas: config.NATS_STREAM_REPLICAS,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      maxAgeMs: config.NATS_STREAM_MAX_AGE_HOURS * 3600_000,
      maxBytes: config.NATS_STREAM_MAX_BYTES,
      name: SERVICE,
      logger,
      credentials: natsCredentialsOf(config),
    });
    lifecycle.onStop('nats', () => bus.close());

    const redis = await connectRedis({ url: config.REDIS_URL, username: config.REDIS_USERNAME, password: config.REDIS_PASSWORD }, SERVICE, logger);
    lifecycle.onStop('redis', () => redis.quit());

    const keyPrefix = config.REDIS_KEY_PREFIX;
    const queue = createExpirationQueue(redis, keyPrefix);
    lifecycle.onStop('queue', () => queue.close());

    const worker = startExpirationWorker({ redis, keyPrefix, bus, logger, metrics: registerExpirationMetrics(metrics.registry) });
    lifecycle.onStop('worker', () => worker.close());
    await worker.waitUntilReady();

    const timers = new RedisExpirationTimers(queue, redis, keyPrefix);
    const store = new RedisListenerStore({ redis, keyPrefix, deps: { timers } });
    const runner = new ListenerRunner({ service: SERVICE, bus, store, listeners, logger, metrics });
    lifecycle.onStop('listeners', () => runner.stop());
    await runner.start();

    const app = buildApp({ logger, metrics, redis, bus, isAcceptingTraffic: () => !lifecycle.isStopping });
    const { server, port } = await listen(app, config.PORT, config.HOST);
    lifecycle.onStop('http', () => closeServer(server));
    logger.info({ port }, `${SERVICE} ready`);
    return { port, logger, stop: () => lifecycle.stop() };
  } catch (err) {
    await lifecycle.stop();
    throw err;
  }
}
