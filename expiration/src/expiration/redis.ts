import type { Logger } from '@microtick/common/logger';
import { Redis } from 'ioredis';

/**
 * One Redis connection for the queue, the listener store and readiness (BullMQ's worker
 * duplicates it for its blocking commands). `maxRetriesPerRequest: null` is what BullMQ
 * requires: commands wait for a reconnect instead of failing after a few tries.
 *
 * Pending expirations live only in Redis, so Redis must persist them: infra/setup.sh starts it
 * with `--appendonly yes` (and a Kubernetes Redis needs the same, on a persistent volume).
 */
export interface RedisEndpoint {
  url: string;
  /** The ACL user and password (docs/security.md); they override any in the URL. */
  username?: string;
  password?: string;
}

export async function connectRedis(endpoint: RedisEndpoint, name: string, logger: Logger): Promise<Redis> {
  const credentials = endpoint.password ? { username: endpoint.username, password: endpoint.password } : {};
  const redis = new Redis(endpoint.url, { maxRetriesPerRequest: null, connectionName: name, ...credentials });
  // Waiting for the first connection makes an unreachable Redis fail the start-up (with the
  // socket's own error) instead of the first job; after that, ioredis reconnects forever.
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('error', reject);
    });
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  redis.on('error', (err: Error) => logger.warn({ err }, 'redis connection'));
  return redis;
}

/**
 * The keys of expiration's own markers. Besides them, under the same prefix: BullMQ's queue
 * (`<prefix>:order-expiration:*`) and common's listener bookkeeping (`<prefix>:expiration:processed:*`,
 * `…:dead-letters*`, see RedisListenerStore).
 */
export const redisKeys = (prefix: string) => ({
  settledOrder: (orderId: string) => `${prefix}:expiration:settled:${orderId}`,
  settledOffer: (offerId: string) => `${prefix}:expiration:settled-offer:${offerId}`,
});

/** How long we remember a settled order or offer: a week, far longer than an event waits for us in practice. */
export const REMEMBER_FOR_SECONDS = 7 * 24 * 3600;
