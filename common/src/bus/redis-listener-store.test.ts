import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_URL, silentLogger } from '../testing';
import { redisListenerKeys } from './redis-dead-letters';
import { PROCESSED_EVENT_TTL_SECONDS, RedisListenerStore } from './redis-listener-store';

let redis: Redis;
let keyPrefix: string;
let store: RedisListenerStore<{ timers: string }>;
beforeEach(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  keyPrefix = `mt_test_store_${randomUUID().slice(0, 8)}`;
  store = new RedisListenerStore({ redis, keyPrefix, service: 'expiration', deps: { timers: 'the timers' } });
});
afterEach(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('RedisListenerStore', () => {
  it('runs a handler once per (consumer, event id), giving it the deps and a logger', async () => {
    const contexts: unknown[] = [];
    const handle = async (ctx: { timers: string }) => {
      contexts.push(ctx);
    };
    const eventId = randomUUID();
    expect(await store.runOnce('expiration-order-created', eventId, silentLogger, handle)).toBe('processed');
    expect(await store.runOnce('expiration-order-created', eventId, silentLogger, handle)).toBe('duplicate');
    expect(await store.runOnce('other-consumer', eventId, silentLogger, handle)).toBe('processed');
    expect(contexts).toEqual([
      { timers: 'the timers', logger: silentLogger },
      { timers: 'the timers', logger: silentLogger },
    ]);
  });

  it('remembers a processed event for a week, not forever', async () => {
    const eventId = randomUUID();
    await store.runOnce('c', eventId, silentLogger, async () => undefined);
    // The same key expiration has always written, so a restart on the new code skips what it did before.
    expect(redisListenerKeys(keyPrefix, 'expiration').processedEvent('c', eventId)).toBe(`${keyPrefix}:expiration:processed:c:${eventId}`);
    const ttl = await redis.ttl(redisListenerKeys(keyPrefix, 'expiration').processedEvent('c', eventId));
    expect(ttl).toBeGreaterThan(PROCESSED_EVENT_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(PROCESSED_EVENT_TTL_SECONDS);
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
