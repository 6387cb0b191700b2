import { randomUUID } from 'node:crypto';
import { silentLogger } from '@microtick/common/testing';
import { Redis } from 'ioredis';
import { REMEMBER_FOR_SECONDS, redisKeys } from '../redis';
import { REDIS_URL } from '../testing/expiration-test-kit';
import { RedisListenerStore } from './redis-listener-store';

let redis: Redis;
let keyPrefix: string;
let store: RedisListenerStore<{ service: string }>;
beforeEach(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  keyPrefix = `mt_test_store_${randomUUID().slice(0, 8)}`;
  store = new RedisListenerStore({ redis, keyPrefix, deps: { service: 'expiration' } });
});
afterEach(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('RedisListenerStore', () => {
  it('runs a handler once per (consumer, event id), giving it the deps and a logger', async () => {
    const contexts: unknown[] = [];
    const handle = async (ctx: { service: string }) => {
      contexts.push(ctx);
    };
    const eventId = randomUUID();
    expect(await store.runOnce('expiration-order-created', eventId, silentLogger, handle)).toBe('processed');
    expect(await store.runOnce('expiration-order-created', eventId, silentLogger, handle)).toBe('duplicate');
    expect(await store.runOnce('other-consumer', eventId, silentLogger, handle)).toBe('processed');
    expect(contexts).toEqual([
      { service: 'expiration', logger: silentLogger },
      { service: 'expiration', logger: silentLogger },
    ]);
  });

  it('remembers a processed event for a week, not forever', async () => {
    const eventId = randomUUID();
    await store.runOnce('c', eventId, silentLogger, async () => undefined);
    const ttl = await redis.ttl(redisKeys(keyPrefix).processedEvent('c', eventId));
    expect(ttl).toBeGreaterThan(REMEMBER_FOR_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(REMEMBER_FOR_SECONDS);
  });

  it('does not mark an event whose handler failed, so its redelivery runs the handler again', async () => {
    const eventId = randomUUID();
    await expect(store.runOnce('c', eventId, silentLogger, async () => Promise.reject(new Error('redis blip')))).rejects.toThrow('redis blip');
    let ran = false;
    expect(await store.runOnce('c', eventId, silentLogger, async () => {
      ran = true;
    })).toBe('processed');
    expect(ran).toBe(true);
  });
});
