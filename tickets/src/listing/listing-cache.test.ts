import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@microtick/common';
import { retrying, sessionCookie, silentLogger, StallableProxy, testAppDeps, TEST_TICKET_CODE_KEYS, waitFor } from '@microtick/common/testing';
import { Registry } from 'prom-client';
import request from 'supertest';
import { buildApp } from '../app';
import { schema } from '../db/schema';
import { orderCreatedData, seedTicket, useTicketsDatabase, useTicketsListeners } from '../test-support';
import { startListingCache, type CachedPage, type ListingCache, type ListingCacheLimits } from './listing-cache';

const database = useTicketsDatabase();
const listeners = useTicketsListeners(database);

/** Everything a test started, stopped after it. */
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A second process's view of the same database: a pool of its own (so nothing it does is "this process" for the other). */
function anotherPool(url = database().url): Database<typeof schema> {
  const other = openDatabase({ url, schema, poolSize: 4 });
  stops.push(() => other.close());
  return other;
}

/** The tickets database reached through a proxy the test can freeze (notifications stop arriving) or cut (LISTEN lost). */
async function proxiedPool(): Promise<{ proxy: StallableProxy; pool: Database<typeof schema>['pool']; db: Database<typeof schema> }> {
  const url = new URL(database().url);
  const proxy = await StallableProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
  stops.push(() => proxy.close());
  url.host = `127.0.0.1:${proxy.port}`;
  const db = anotherPool(url.toString());
  return { proxy, pool: db.pool, db };
}

/** One tickets "instance": its app on `db`, its listing cache LISTENing on `listenPool` (default: the same pool). */
async function instance(
  db: Database<typeof schema>,
  options: { listenPool?: Database<typeof schema>['pool']; limits?: Partial<ListingCacheLimits>; retryMs?: number; heartbeatMs?: number } = {},
) {
  const registry = new Registry();
  const listing = await startListingCache({
    pool: db.pool,
    listenPool: options.listenPool,
    logger: silentLogger,
    registry,
    limits: { maxPages: 128, maxBytes: 4 * 1024 * 1024, ...options.limits },
    retryMs: options.retryMs ?? 50,
    // Off unless a test is about it: a frozen LISTEN connection must otherwise stay trusted.
    heartbeatMs: options.heartbeatMs ?? 0,
  });
  stops.push(() => listing.stop());
  const app = buildApp({ db: db.db, ...testAppDeps(), ticketCodePublicKey: TEST_TICKET_CODE_KEYS.publicKey, listingCache: listing.cache });
  const lookups = async () => {
    const metric = await registry.getSingleMetric('listing_cache_lookups_total')!.get();
    const count = (outcome: string) => metric.values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
    return { hit: count('hit'), miss: count('miss'), off: count('off') };
  };
  return {
    cache: listing.cache,
    list: (query = '') => request(app).get(`/api/tickets${query}`),
    titles: async (query = '') => ((await request(app).get(`/api/tickets${query}`)).body as { title: string }[]).map((ticket) => ticket.title),
    create: (title: string) => request(app).post('/api/tickets').set('Cookie', sessionCookie()).send({ title, price: 10 }),
    lookups,
  };
}

const thisProcess = () => ({ db: database().db, pool: database().pool, close: async () => undefined });

/** Waits until the cache has a generation (LISTEN works) and the truncate's NOTIFY has been heard. */
const listening = (cache: ListingCache) => waitFor(() => cache.currentGeneration() !== undefined, { what: 'the listing cache listening' });

describe('listing cache', () => {
  it('answers a page again from memory: the same bytes, ETag, Link and 304', async () => {
    const a = await instance(thisProcess());
    await listening(a.cache);
    for (let i = 0; i < 3; i++) await seedTicket(database(), { title: `T${i}` });
    await retrying(async () => expect(await a.titles('?limit=2')).toEqual(['T2', 'T1']));

    const first = await a.list('?limit=2');
    const before = await a.lookups();
    const again = await a.list('?limit=2');
    expect(await a.lookups()).toMatchObject({ hit: before.hit + 1 });
    expect(again.text).toBe(first.text);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.link).toBe(first.headers.link);
    expect(again.headers['content-length']).toBe(first.headers['content-length']);
    // The Link is built from each request's own URL, also from a kept page.
    const spelled = await a.list('?limit=2&sort=newest');
    expect(spelled.headers.link).toMatch(/sort=newest/);
    expect((await a.list('?limit=2').set('If-None-Match', first.headers.etag as string)).status).toBe(304);
  });

  it("shows a ticket created through one instance in the other's listing (the trigger's NOTIFY)", async () => {
    const a = await instance(thisProcess());
    const b = await instance(anotherPool());
    await listening(a.cache);
    await listening(b.cache);
    await seedTicket(database(), { title: 'Old' });
    // Kept once no NOTIFY (the seed's, the truncate's) arrives while the page is read.
    await retrying(async () => {
      expect(await b.titles()).toEqual(['Old']);
      expect((await b.lookups()).hit).toBeGreaterThan(0);
    });

    expect((await a.create('New')).status).toBe(201);
    await retrying(async () => expect(await b.titles()).toEqual(['New', 'Old']), { timeoutMs: 3_000 });
  });

  it('drops what it holds on a change made in SQL or by a listener, whoever made it', async () => {
    const b = await instance(anotherPool());
    await listening(b.cache);
    const ticket = await seedTicket(database(), { title: 'Listed' });
    await seedTicket(database(), { title: 'Other' });
    await retrying(async () => expect((await b.titles()).sort()).toEqual(['Listed', 'Other']));
    await b.list();

    await database().pool.query(`update tickets set title = 'Renamed' where id = $1`, [ticket.id]);
    await retrying(async () => expect((await b.titles()).sort()).toEqual(['Other', 'Renamed']), { timeoutMs: 3_000 });

    const harness = listeners();
    await harness.publish('order:created', orderCreatedData({ ...ticket, title: 'Renamed' }));
    await harness.settled('order:created');
    await retrying(async () => expect(await b.titles()).toEqual(['Other']), { timeoutMs: 3_000 });
  });

  it("shows this process's own writes at once, even before its NOTIFY arrives (route and listener)", async () => {
    // The LISTEN connection goes through a proxy that is then frozen: no notification arrives.
    const { proxy, pool } = await proxiedPool();
    const a = await instance(thisProcess(), { listenPool: pool });
    // Stopped first: UNLISTEN would wait forever on a frozen connection.
    stops.push(async () => proxy.cut());
    await listening(a.cache);
    const ticket = await seedTicket(database(), { title: 'Listed' });
    await retrying(async () => expect(await a.titles()).toEqual(['Listed']));
    proxy.freeze();
    await a.list();
    expect(await a.titles()).toEqual(['Listed']);

    expect((await a.create('Mine')).status).toBe(201);
    expect(await a.titles()).toEqual(['Mine', 'Listed']);

    const harness = listeners();
    await harness.publish('order:created', orderCreatedData(ticket));
    await harness.settled('order:created');
    expect(await a.titles()).toEqual(['Mine']);
  });

  it('does not keep a page read before a change that was heard before the page was kept', async () => {
    const a = await instance(thisProcess());
    await listening(a.cache);
    await seedTicket(database(), { title: 'Before' });
    await waitFor(async () => (await a.titles()).length === 1, { what: 'the seeded ticket listed' });
    const key = a.cache.keyOf({ sort: 'newest', limit: 50 })!;

    // A read whose snapshot predates the change (a REPEATABLE READ transaction pins it) …
    const generation = a.cache.currentGeneration();
    const reader = await database().pool.connect();
    try {
      await reader.query('begin isolation level repeatable read');
      await reader.query('select 1');
      await seedTicket(database(), { title: 'After' });
      await waitFor(() => a.cache.currentGeneration() !== generation, { what: 'the change heard' });
      const { rows } = await reader.query<{ titles: string }>(`select json_agg(title order by created_at desc)::text as titles from tickets`);
      await reader.query('commit');
      // … is what the database held before: kept now, it would be served after the change.
      const stale: CachedPage = { answer: { body: Buffer.from(rows[0]!.titles), etag: undefined } };
      expect(stale.answer.body.toString()).toBe('["Before"]');
      a.cache.set(key, generation, stale);
    } finally {
      reader.release();
    }
    expect(a.cache.get(key)).toBeUndefined();
    expect(await a.titles()).toEqual(['After', 'Before']);
  });

  it("does not keep the page of a listing whose query ran before a change and answered after it (the route's order)", async () => {
    // The app's queries go through a proxy that can hold their answers; its LISTEN does not.
    const { proxy, db } = await proxiedPool();
    const a = await instance(db, { listenPool: database().pool });
    stops.push(async () => proxy.releaseAnswers());
    await listening(a.cache);
    await seedTicket(database(), { title: 'Before' });
    await retrying(async () => expect(await a.titles()).toEqual(['Before']));

    const generation = a.cache.currentGeneration();
    const { rows } = await database().pool.query<{ at: Date }>('select clock_timestamp() as at');
    proxy.holdAnswers();
    // A page not kept yet (the first page is): this one reads Postgres.
    const racing = a.titles('?limit=10');
    // The listing's statement has run (its snapshot is from before the change); its answer is held.
    await waitFor(
      async () =>
        (
          await database().pool.query(
            // Split so that this query's own text does not match.
            `select 1 from pg_stat_activity where datname = current_database() and state = 'idle' and state_change > $1 and query like '%' || 'heldFor' || 'WaitingList%'`,
            [rows[0]!.at],
          )
        ).rowCount,
      { what: 'the listing statement run' },
    );
    await seedTicket(database(), { title: 'After' });
    await waitFor(() => a.cache.currentGeneration() !== generation, { what: 'the change heard' });
    proxy.releaseAnswers();
    expect(await racing).toEqual(['Before']);
    expect(await a.titles('?limit=10')).toEqual(['After', 'Before']);
  });

  it('serves nothing from memory while its LISTEN connection is lost, and again once it is back', async () => {
    const { proxy, pool } = await proxiedPool();
    const a = await instance(thisProcess(), { listenPool: pool, retryMs: 50 });
    await listening(a.cache);
    await seedTicket(database(), { title: 'First' });
    await retrying(async () => expect(await a.titles()).toEqual(['First']));
    await a.list();

    proxy.cut();
    await waitFor(() => a.cache.currentGeneration() === undefined, { what: 'the LISTEN connection lost' });
    const before = await a.lookups();
    // Read and (were it kept) kept while no change can be heard …
    expect(await a.titles()).toEqual(['First']);
    await seedTicket(database(), { title: 'Unheard' });
    // … so this must come from Postgres, not from memory.
    expect(await a.titles()).toEqual(['Unheard', 'First']);
    expect(await a.lookups()).toMatchObject({ off: before.off + 2, hit: before.hit });

    proxy.mend();
    await listening(a.cache);
    await retrying(async () => {
      const back = await a.lookups();
      expect(await a.titles()).toEqual(['Unheard', 'First']);
      expect((await a.lookups()).hit).toBe(back.hit + 1);
    });
  });

  it('stops trusting a LISTEN connection that stalled without closing once its ping does not come back, and trusts it again when it does', async () => {
    const { proxy, pool } = await proxiedPool();
    const a = await instance(thisProcess(), { listenPool: pool, heartbeatMs: 100 });
    stops.push(async () => proxy.cut());
    await listening(a.cache);
    await seedTicket(database(), { title: 'First' });
    await retrying(async () => expect(await a.titles()).toEqual(['First']));

    // Packets dropped, the connection still open: notifications stop, and no error says so.
    proxy.holdAnswers();
    await waitFor(() => a.cache.currentGeneration() === undefined, { what: 'the stalled LISTEN distrusted', timeoutMs: 3_000 });
    await seedTicket(database(), { title: 'Unheard' });
    expect(await a.titles()).toEqual(['Unheard', 'First']);

    // The held notifications (the change, the pings) arrive: trusted again.
    proxy.releaseAnswers();
    await listening(a.cache);
    expect(await a.titles()).toEqual(['Unheard', 'First']);
  });

  it('keeps at most maxPages pages and maxBytes bytes, the least recently used going first', async () => {
    const a = await instance(thisProcess(), { limits: { maxPages: 3, maxBytes: 8 * 1024 } });
    await listening(a.cache);
    for (let i = 0; i < 30; i++) await seedTicket(database(), { title: `Ticket number ${i} with a longish title` });
    await retrying(async () => expect(await a.titles('?limit=1')).toEqual(['Ticket number 29 with a longish title']));

    for (let offset = 0; offset < 6; offset++) await a.list(`?limit=1&offset=${offset}`);
    expect(a.cache.size.pages).toBe(3);
    // The three most recent pages are kept, the older ones were dropped.
    expect(a.cache.get(a.cache.keyOf({ sort: 'newest', limit: 1, offset: 5 })!)).toBeDefined();
    expect(a.cache.get(a.cache.keyOf({ sort: 'newest', limit: 1, offset: 2 })!)).toBeUndefined();

    // Pages of 30 and 25 tickets (about 5 and 4 kB): the second pushes the first out of 8 kB.
    await a.list('?limit=30');
    expect(a.cache.get(a.cache.keyOf({ sort: 'newest', limit: 30 })!)).toBeDefined();
    await a.list('?limit=25');
    expect(a.cache.size.bytes).toBeLessThanOrEqual(8 * 1024);
    expect(a.cache.get(a.cache.keyOf({ sort: 'newest', limit: 25 })!)).toBeDefined();
    expect(a.cache.get(a.cache.keyOf({ sort: 'newest', limit: 30 })!)).toBeUndefined();
  });

  it('keeps only the public listing by offset: no search, price range or cursor page', async () => {
    const a = await instance(thisProcess());
    expect(a.cache.keyOf({ sort: 'price_asc', limit: 50, offset: 100 })).toBe('price_asc:50:100');
    expect(a.cache.keyOf({ sort: 'newest', limit: 50, words: ['rock'] })).toBeUndefined();
    expect(a.cache.keyOf({ sort: 'newest', limit: 50, minPriceCents: 100 })).toBeUndefined();
    expect(a.cache.keyOf({ sort: 'newest', limit: 50, after: { sort: 'newest', key: 1, id: randomUUID() } })).toBeUndefined();
    expect(a.cache.keyOf({ sort: 'newest', limit: 50, sellerId: randomUUID() })).toBeUndefined();
  });
});
