import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestEventBus, REDIS_URL, silentLogger, waitFor, type TestEventBus } from '../testing';
import type { EventEnvelope } from '../events/catalogue';
import { ServiceMetrics } from '../metrics';
import { defineListener, type AnyListener } from './listener';
import { ListenerRunner } from './listener-runner';
import { RedisListenerStore } from './redis-listener-store';

// A listener's batch hook (handleBatch) through the real runner, NATS and the Redis store.

type Ctx = { applied: string[] };

let bus: TestEventBus;
let redis: Redis;
let keyPrefix: string;
let applied: string[];
const stops: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  bus = await createTestEventBus('batch');
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  keyPrefix = `mt_test_batch_${randomUUID().slice(0, 8)}`;
  applied = [];
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await bus.destroy();
});

async function startRunner(listener: AnyListener<Ctx>) {
  const metrics = new ServiceMetrics('test');
  const store = new RedisListenerStore({ redis, keyPrefix, service: 'svc', deps: { applied } });
  const runner = new ListenerRunner<Ctx & { logger: typeof silentLogger }>({ service: 'svc', bus, store, listeners: [listener], logger: silentLogger, metrics, maxDeliver: 2 });
  await runner.start();
  stops.push(() => runner.stop());
  return { metrics, store };
}

const outcomes = async (metrics: ServiceMetrics) => {
  const counts: Record<string, number> = {};
  for (const { labels, value } of (await metrics.eventsHandled.get()).values) counts[String(labels.outcome)] = (counts[String(labels.outcome)] ?? 0) + value;
  return counts;
};

const envelope = (id = randomUUID()): EventEnvelope<'order:cancelled'> => ({
  id: randomUUID(),
  type: 'order:cancelled',
  occurredAt: new Date().toISOString(),
  data: { id, version: 1, ticket: { id: randomUUID() } },
});
const publish = (event: EventEnvelope, msgID = event.id) => bus.js.publish(bus.subjectFor(event.type), JSON.stringify(event), { msgID });

describe('a listener with handleBatch', () => {
  it("takes up to its own batchSize in one call, beyond the runner's default of 20", async () => {
    const batches: number[] = [];
    const listener = defineListener({
      event: 'order:cancelled',
      async handle({ data }, { applied }: Ctx) {
        applied.push(data.id);
      },
      async handleBatch(events, { applied }: Ctx) {
        batches.push(events.length);
        applied.push(...events.map((e) => e.data.id));
      },
      // Long enough for the backlog below to arrive: a batch is dispatched when full or when the window ends.
      batchWindowMs: 2_000,
      batchSize: 30,
    });
    const events = Array.from({ length: 45 }, () => envelope());
    await Promise.all(events.map((event) => publish(event)));
    const { metrics } = await startRunner(listener);

    await waitFor(async () => (await outcomes(metrics)).processed === 45, { what: '45 events handled' });
    expect(batches).toEqual([30, 15]);
    expect(applied).toEqual(events.map((e) => e.data.id));
  });

  it('gets the events published within its batch window in one call, in stream order, each applied once', async () => {
    const batches: string[][] = [];
    const listener = defineListener({
      event: 'order:cancelled',
      async handle({ data }, { applied }: Ctx) {
        applied.push(data.id);
      },
      async handleBatch(events, { applied }: Ctx) {
        batches.push(events.map((e) => e.data.id));
        applied.push(...events.map((e) => e.data.id));
      },
      batchWindowMs: 300,
    });
    const { metrics } = await startRunner(listener);
    const events = Array.from({ length: 5 }, () => envelope());
    for (const event of events) await publish(event);
    // A copy under another message id (JetStream does not drop it): the same event, a duplicate.
    await publish(events[2]!, randomUUID());

    await waitFor(async () => ((await outcomes(metrics)).processed ?? 0) + ((await outcomes(metrics)).duplicate ?? 0) === 6, { what: 'six deliveries handled' });
    expect(batches).toEqual([events.map((e) => e.data.id)]);
    expect(applied).toEqual(events.map((e) => e.data.id));
    expect(await outcomes(metrics)).toEqual({ processed: 5, duplicate: 1 });

    // Redelivered later, each is a duplicate: the batch recorded every event it applied.
    for (const event of events.slice(0, 2)) await publish(event, randomUUID());
    await waitFor(async () => (await outcomes(metrics)).duplicate === 3, { what: 'redeliveries skipped' });
    expect(applied).toHaveLength(5);
  });

  it('handles the events one by one when the batch fails, so only the failing event is retried and dead-lettered', async () => {
    const poison = envelope();
    const listener = defineListener({
      event: 'order:cancelled',
      async handle({ data }, { applied }: Ctx) {
        if (data.id === poison.data.id) throw new Error('cannot apply this one');
        applied.push(data.id);
      },
      async handleBatch(events) {
        // All or nothing: a batch with the poison event in it applies none of them.
        if (events.some((e) => e.data.id === poison.data.id)) throw new Error('cannot apply this batch');
        throw new Error('not reached in this test');
      },
      batchWindowMs: 300,
    });
    const { metrics, store } = await startRunner(listener);
    const good = [envelope(), envelope()];
    for (const event of [good[0]!, poison, good[1]!]) await publish(event);

    await waitFor(async () => (await outcomes(metrics)).dead_lettered === 1, { what: 'the poison event parked', timeoutMs: 15_000 });
    expect(applied.sort()).toEqual(good.map((e) => e.data.id).sort());
    expect((await outcomes(metrics)).processed).toBe(2);
    const letters = await store.deadLetters.list();
    expect(letters.map((letter) => letter.eventId)).toEqual([poison.id]);
  });
});

describe('a listener with a batch window and no handleBatch', () => {
  it("runs the events published within its window as one of the store's batches, each applied once", async () => {
    const listener = defineListener({
      event: 'order:cancelled',
      async handle({ data }, { applied }: Ctx) {
        applied.push(data.id);
      },
      batchWindowMs: 300,
    });
    const store = new RedisListenerStore({ redis, keyPrefix, service: 'svc', deps: { applied } });
    const batchSizes: number[] = [];
    const counting: typeof store = Object.assign(Object.create(store) as typeof store, {
      runBatch: (...args: Parameters<typeof store.runBatch>) => {
        batchSizes.push(args[1].length);
        return store.runBatch(...args);
      },
    });
    const metrics = new ServiceMetrics('test');
    const runner = new ListenerRunner({ service: 'svc', bus, store: counting, listeners: [listener], logger: silentLogger, metrics });
    await runner.start();
    stops.push(() => runner.stop());
    const events = Array.from({ length: 4 }, () => envelope());
    for (const event of events) await publish(event);

    await waitFor(async () => (await outcomes(metrics)).processed === 4, { what: 'four events handled' });
    expect(batchSizes).toEqual([4]);
    expect(applied).toEqual(events.map((e) => e.data.id));
  });
});
