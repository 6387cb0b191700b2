import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { countingStatements, countingWrites, createTestDatabase, createTestEventBus, silentLogger, waitFor, type AnyDb, type TestDatabase, type TestEventBus } from '../testing';
import type { EventEnvelope } from '../events/catalogue';
import { ServiceMetrics } from '../metrics';
import { defineListener, RetryLater, type HandlerContext } from './listener';
import { ListenerRunner } from './listener-runner';
import { PostgresListenerStore } from './postgres-listener-store';

// PostgresListenerStore.runTogether: one handler for a batch of events (a listener's handleBatch)
// in one transaction with their claims; and through the real runner, a batch that fails is
// handled event by event, so a bad event is retried and dead-lettered alone.

const migrationsFolder = path.join(__dirname, '../testing/fixture-migrations');
let database: TestDatabase<Record<string, never>>;
let bus: TestEventBus;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ name: 'common_together', migrationsFolder });
});
afterAll(() => database.close());
beforeEach(async () => {
  await database.truncate();
  bus = await createTestEventBus('together');
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await bus.destroy();
});

const store = () => new PostgresListenerStore(database.db as unknown as AnyDb);
const claims = async (eventIds: string[]) =>
  Number((await database.pool.query('select count(*) from processed_events where event_id = any($1::uuid[])', [eventIds])).rows[0].count);
const itemTitles = async () => (await database.pool.query<{ title: string }>('select title from replica_items order by title')).rows.map((row) => row.title);
const insertItems = (tx: HandlerContext['tx'], titles: string[]) =>
  tx.execute(sql`insert into replica_items (id, title, version) select gen_random_uuid(), t, 0 from json_array_elements_text(${JSON.stringify(titles)}::json) as t`);

describe('PostgresListenerStore.runTogether', () => {
  it('gives the handler the events not processed before, in order, and commits their claims with its writes in one transaction', async () => {
    const ids = Array.from({ length: 4 }, () => randomUUID());
    await store().runOnce('svc-x', ids[1]!, silentLogger, async () => {});
    // A second copy within the batch is a duplicate too; an upper-case id is the same event.
    const items = [ids[0]!, ids[1]!, ids[2]!.toUpperCase(), ids[2]!, ids[3]!].map((eventId) => ({ eventId, redelivered: false }));
    let given: number[] = [];
    await database.pool.query('select 1'); // a connection is open and idle, so none is opened during the count
    const { result: outcomes, writes } = await countingWrites(() =>
      store().runTogether('svc-x', items, silentLogger, async (indexes, { tx }) => {
        given = indexes;
        await insertItems(tx, indexes.map((i) => `item ${i}`));
      }),
    );
    expect(given).toEqual([0, 2, 4]);
    expect(outcomes).toEqual(['processed', 'duplicate', 'processed', 'duplicate', 'processed']);
    expect(await itemTitles()).toEqual(['item 0', 'item 2', 'item 4']);
    expect(await claims(ids)).toBe(4);
    // BEGIN + claims; the handler's insert; COMMIT.
    expect(writes).toBe(3);
  });

  it('records nothing as processed when the handler throws, and calls no handler when every event is a duplicate', async () => {
    const ids = [randomUUID(), randomUUID()];
    const items = ids.map((eventId) => ({ eventId, redelivered: false }));
    await expect(
      store().runTogether('svc-x', items, silentLogger, async (_indexes, { tx }) => {
        await insertItems(tx, ['undone']);
        throw new Error('the batch failed');
      }),
    ).rejects.toThrow('the batch failed');
    expect([await claims(ids), (await itemTitles()).length]).toEqual([0, 0]);

    await store().runTogether('svc-x', items, silentLogger, async () => {});
    let called = false;
    expect(await store().runTogether('svc-x', items, silentLogger, async () => void (called = true))).toEqual(['duplicate', 'duplicate']);
    expect(called).toBe(false);
  });

  it('clears the attempts on record of the redelivered events it applies, with COMMIT', async () => {
    const [waited, fresh] = [randomUUID(), randomUUID()];
    await store().noteWaiting('svc-x', waited, 'not yet');
    await store().countFailure('svc-x', fresh, 'a failure the runner does not know of');
    expect((await store().waitingSummary()).map((w) => w.count)).toEqual([1]);
    await store().runTogether('svc-x', [{ eventId: waited, redelivered: true }, { eventId: fresh, redelivered: false }], silentLogger, async () => {});
    const attempts = (await database.pool.query<{ event_id: string }>('select event_id from event_attempts')).rows.map((row) => row.event_id);
    // Only a redelivered event can have attempts: a first delivery's are not looked for.
    expect(attempts).toEqual([fresh]);
    expect(await store().waitingSummary()).toEqual([]);
  });
});

describe('a listener with handleBatch on a Postgres store, through the runner', () => {
  const envelope = (title: string): EventEnvelope<'ticket:updated'> => ({
    id: randomUUID(),
    type: 'ticket:updated',
    occurredAt: new Date().toISOString(),
    data: { id: randomUUID(), version: 1, title, price: 10, userId: randomUUID(), orderId: null },
  });

  it('applies the events that arrive together in one handleBatch call; a bad one makes the batch fall back, and only it is dead-lettered', async () => {
    const batches: string[][] = [];
    const listener = defineListener({
      event: 'ticket:updated',
      async handle({ data }, { tx }) {
        if (data.title === 'poison') throw new Error('cannot apply this one');
        await insertItems(tx, [data.title]);
      },
      async handleBatch(events, { tx }) {
        batches.push(events.map((e) => e.data.title));
        if (events.some((e) => e.data.title === 'poison')) throw new Error('cannot apply this batch');
        await insertItems(tx, events.map((e) => e.data.title));
      },
      batchWindowMs: 300,
    });
    const metrics = new ServiceMetrics('test');
    const runner = new ListenerRunner({ service: 'svc', bus, store: store(), listeners: [listener], logger: silentLogger, metrics, maxDeliver: 2 });
    await runner.start();
    stops.push(() => runner.stop());
    const outcome = async (name: string) => (await metrics.eventsHandled.get()).values.filter((v) => v.labels.outcome === name).reduce((n, v) => n + v.value, 0);
    const publish = (event: EventEnvelope) => bus.js.publish(bus.subjectFor(event.type), JSON.stringify(event), { msgID: event.id });

    for (const title of ['a', 'b', 'c']) await publish(envelope(title));
    await waitFor(async () => (await outcome('processed')) === 3, { what: 'the first batch' });
    expect(batches).toEqual([['a', 'b', 'c']]);

    const poison = envelope('poison');
    for (const event of [envelope('d'), poison, envelope('e')]) await publish(event);
    await waitFor(async () => (await outcome('dead_lettered')) === 1, { what: 'the poison event parked', timeoutMs: 15_000 });
    expect(await itemTitles()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await outcome('processed')).toBe(5);
    const letters = (await database.pool.query<{ event_id: string }>('select event_id from dead_letters')).rows;
    expect(letters).toEqual([{ event_id: poison.id }]);
  });

  it('after a failed batch, applies the others in one transaction (a savepoint each), and only the early event waits', async () => {
    let ready = false;
    const listener = defineListener({
      event: 'ticket:updated',
      async handle({ data }, { tx }) {
        if (data.title === 'early' && !ready) throw new RetryLater('its predecessor has not arrived');
        await insertItems(tx, [data.title]);
      },
      async handleBatch(events) {
        if (events.some((e) => e.data.title === 'early')) throw new RetryLater('one of the batch is early');
        throw new Error('not reached');
      },
      batchWindowMs: 300,
    });
    const metrics = new ServiceMetrics('test');
    const outcome = async (name: string) => (await metrics.eventsHandled.get()).values.filter((v) => v.labels.outcome === name).reduce((n, v) => n + v.value, 0);
    const titles = ['a', 'b', 'early', 'c', 'd'];
    for (const title of titles) await bus.js.publish(bus.subjectFor('ticket:updated'), JSON.stringify(envelope(title)), { msgID: randomUUID() });

    const { statements: transactions } = await countingStatements(/^begin$/i, async () => {
      const runner = new ListenerRunner({ service: 'svc', bus, store: store(), listeners: [listener], logger: silentLogger, metrics });
      await runner.start();
      stops.push(() => runner.stop());
      // Polled often: the early one comes back 50 ms after its nak (a transaction of its own), which follows the four's acks.
      await waitFor(async () => (await outcome('processed')) === 4, { what: 'the four applied', intervalMs: 5 });
    });
    // The failed handleBatch's, then one for the four (and the early one's savepoint): not one per event.
    expect(transactions).toBe(2);
    expect(await itemTitles()).toEqual(['a', 'b', 'c', 'd']);
    await waitFor(async () => (await outcome('retry')) >= 1, { what: 'the early one waiting' });
    ready = true;
    await waitFor(async () => (await outcome('processed')) === 5, { what: 'the early one applied once its predecessor is there' });
    expect(await itemTitles()).toEqual(['a', 'b', 'c', 'd', 'early']);
  });
});
