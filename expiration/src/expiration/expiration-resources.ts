import { RedisListenerStore } from '@microtick/common/bus/redis-listener-store';
import type { ReadinessCheck } from '@microtick/common/http/create-service-app';
import type { StartDeps } from '@microtick/common/service';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { registerExpirationMetrics } from './expiration-metrics';
import { createExpirationQueue } from './expiration-queue';
import { RedisExpirationTimers } from './expiration-timers';
import { startExpirationWorker } from './expiration.worker';
import { RecentlyFired } from './recently-fired';
import { connectRedis } from './redis';

export interface ExpirationResources {
  redis: Redis;
  listenerStore: RedisListenerStore<{ timers: RedisExpirationTimers }>;
  readiness: ReadinessCheck[];
  /** Shared by the worker (which notes what it fires) and the timers (which then remove nothing). */
  fired: RecentlyFired;
}

/**
 * What expiration runs besides NATS, before its listeners (startService's `resources`): Redis,
 * the BullMQ queue, and the listener store on Redis (it has no database). Each registers how
 * to stop it; stopping goes in reverse (the queue is closed before Redis).
 */
export async function startExpirationResources(config: Config, { logger, onStop }: Pick<StartDeps, 'logger' | 'onStop'>): Promise<ExpirationResources> {
  const redis = await connectRedis({ url: config.REDIS_URL, username: config.REDIS_USERNAME, password: config.REDIS_PASSWORD }, 'expiration', logger);
  onStop('redis', () => redis.quit());
  const queue = createExpirationQueue(redis, config.REDIS_KEY_PREFIX);
  onStop('queue', () => queue.close());
  const fired = new RecentlyFired();
  const timers = new RedisExpirationTimers(queue, redis, config.REDIS_KEY_PREFIX, fired);
  return {
    redis,
    fired,
    listenerStore: new RedisListenerStore({ redis, keyPrefix: config.REDIS_KEY_PREFIX, service: 'expiration', deps: { timers } }),
    readiness: [{ name: 'redis', check: () => redis.ping() }],
  };
}

/**
 * The worker that fires due timers (startService's `background`); the returned stop lets its
 * running jobs finish, which still need Redis and NATS (stopped after it).
 */
export async function startTimerWorker(
  config: Config,
  { redis, fired, bus, logger, metrics }: Pick<StartDeps, 'bus' | 'logger' | 'metrics'> & Pick<ExpirationResources, 'redis' | 'fired'>,
) {
  const worker = startExpirationWorker({ redis, keyPrefix: config.REDIS_KEY_PREFIX, bus, logger, metrics: registerExpirationMetrics(metrics.registry), fired });
  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close();
    throw err;
  }
  return () => worker.close();
}
