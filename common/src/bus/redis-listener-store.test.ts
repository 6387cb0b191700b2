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

  it('runs a batch in order, marking the events whose handler succeeded and only those', async () => {
    const [first, failing, third] = [randomUUID(), randomUUID(), randomUUID()];
    await store.runOnce('c', third, silentLogger, async () => undefined);
    const ran: string[] = [];
    const item = (eventId: string, fail = false) => ({
      eventId,
      redelivered: false,
      handle: async () => {
        ran.push(eventId);
        if (fail) throw new Error('redis blip');
      },
    });
    const outcomes = await store.runBatch('c', [item(first), item(failing, true), item(third), item(first)], silentLogger);
    expect(outcomes.map((o) => o.outcome)).toEqual(['processed', 'failed', 'duplicate', 'duplicate']);
    expect(ran).toEqual([first, failing]);
    expect(await store.runOnce('c', first, silentLogger, async () => undefined)).toBe('duplicate');
    expect(await store.runOnce('c', failing, silentLogger, async () => undefined)).toBe('processed');
  });

  it('runs one handler for the unprocessed events of a batch, and marks none of them when it fails', async () => {
    const [done, a, b] = [randomUUID(), randomUUID(), randomUUID()];
    await store.runOnce('c', done, silentLogger, async () => undefined);
    const items = [{ eventId: a }, { eventId: done }, { eventId: b }];
    await expect(store.runTogether('c', items, silentLogger, async () => Promise.reject(new Error('redis blip')))).rejects.toThrow('redis blip');
    const calls: number[][] = [];
    expect(await store.runTogether('c', items, silentLogger, async (indexes) => {
      calls.push(indexes);
    })).toEqual(['processed', 'duplicate', 'processed']);
    expect(calls).toEqual([[0, 2]]);
    expect(await store.runTogether('c', items, silentLogger, async (indexes) => {
      calls.push(indexes);
    })).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(calls).toHaveLength(1);
  });
});
