import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { countingStatements, countingWrites, createTestDatabase, createTestEventBus, silentLogger, StallableProxy, waitFor, type AnyDb, type TestDatabase, type TestEventBus } from '../testing';
import type { EventEnvelope } from '../events/catalogue';
import { listDeadLetters, replayDeadLetter } from './dead-letters';
import { defineListener, RetryLater, type AnyListener, type HandlerContext } from './listener';
import { ListenerRunner, type ListenerRunnerOptions } from './listener-runner';
import { ServiceMetrics } from '../metrics';
import { openDatabase } from '../db/database';
import { connectionOf } from '../db/prepared-statement';
import { addToOutbox, OUTBOX_CHANNEL } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { PostgresListenerStore } from './postgres-listener-store';
import { checkVersion } from './versioned';

const migrationsFolder = path.join(__dirname, '../testing/fixture-migrations');
let database: TestDatabase<Record<string, never>>;
let bus: TestEventBus;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ name: 'common', migrationsFolder });
});
afterAll(() => database.close());
beforeEach(async () => {
  await database.truncate();
  bus = await createTestEventBus('core');
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await bus.destroy();
});

const db = () => database.db as unknown as AnyDb;
const ticket = (overrides: Partial<{ id: string; version: number; title: string }> = {}) => ({
  id: overrides.id ?? randomUUID(),
  version: overrides.version ?? 0,
  title: overrides.title ?? 'Concert',
  price: 10,
  userId: randomUUID(),
  orderId: null,
});

async function startRelay(relayBus = bus) {
  const relay = new OutboxRelay({ pool: database.pool, bus: relayBus, logger: silentLogger, pollIntervalMs: 200 });
  await relay.start();
  stops.push(() => relay.stop());
  return relay;
}

async function startRunner(listeners: AnyListener[], service = 'svc', options: Partial<ListenerRunnerOptions<HandlerContext>> = {}) {
  const runner = new ListenerRunner({ service, bus, store: new PostgresListenerStore(db()), listeners, logger: silentLogger, ...options });
  await runner.start();
  stops.push(() => runner.stop());
  return runner;
}

/** The test bus, counting publish attempts per Nats-Msg-Id. */
function countingPublishes() {
  const attempts = new Map<string, number>();
  const countingBus = {
    subjectFor: bus.subjectFor,
    js: {
      publish: (subject: string, data: string, opts: { msgID: string }) => {
        attempts.set(opts.msgID, (attempts.get(opts.msgID) ?? 0) + 1);
        return bus.js.publish(subject, data, opts);
      },
    },
  } as unknown as TestEventBus;
  return { attempts, countingBus };
}

const streamMessages = async () => (await bus.jsm.streams.info(bus.stream)).state.messages;
const outboxCount = async () => Number((await database.pool.query('select count(*) from outbox')).rows[0].count);

/** Publishes an envelope straight to the stream, as a relay would. */
const publishRaw = (envelope: unknown, msgID: string = randomUUID(), type = 'ticket:updated' as const) =>
  bus.js.publish(bus.subjectFor(type), JSON.stringify(envelope), { msgID });
const envelopeOf = (data: ReturnType<typeof ticket>): EventEnvelope<'ticket:updated'> => ({
  id: randomUUID(), type: 'ticket:updated', occurredAt: new Date().toISOString(), data,
});
/** A fresh ticket's `ticket:created`: the other consumer in the caughtUpWith tests. */
const publishTicketCreated = () =>
  bus.js.publish(
    bus.subjectFor('ticket:created'),
    JSON.stringify({ id: randomUUID(), type: 'ticket:created', occurredAt: new Date().toISOString(), data: { id: randomUUID(), version: 0, title: 'Concert', price: 10, userId: randomUUID() } }),
    { msgID: randomUUID() },
  );

/** The test bus, except that its first publish waits until `release()`: a relay caught mid-batch. */
function firstPublishHeld() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let publishes = 0;
  const heldBus = {
    subjectFor: bus.subjectFor,
    js: {
      publish: async (subject: string, data: string, opts: { msgID: string }) => {
        if ((publishes += 1) === 1) await held;
        return bus.js.publish(subject, data, opts);
      },
    },
  } as unknown as TestEventBus;
  return { bus: heldBus, release, publishes: () => publishes };
}

/** What a staged insert refused by Postgres fails with: drizzle's error around jsonb's (\u0000 cannot be stored). */
const refusedByJsonb = { message: expect.stringContaining('insert into "outbox"'), cause: expect.objectContaining({ code: '22P05' }) };
/** The same refusal of rows staged together (one statement for a transaction's rows: pg's own error). */
const refusedTogetherByJsonb = { code: '22P05' };

describe('transactional outbox', () => {
  it('publishes nothing for a rolled-back transaction and a committed event exactly once', async () => {
    await startRelay();
    await db().transaction(async (tx) => {
      await addToOutbox(tx, 'ticket:updated', ticket({ title: 'rolled back' }));
      tx.rollback();
    }).catch(() => undefined);
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket({ title: 'committed' })));

    await waitFor(async () => (await streamMessages()) === 1 && (await outboxCount()) === 0, { what: 'publish' });
    await sleep(300);
    expect(await streamMessages()).toBe(1);
    const stored = await bus.jsm.streams.getMessage(bus.stream, { seq: 1 });
    expect(stored?.json<EventEnvelope>().data).toMatchObject({ title: 'committed' });
  });

  it('writes the events one transaction stages with one statement, in the order staged, and publishes each once', async () => {
    const titles = ['first', 'second', 'third', 'fourth'];
    const { result: envelopes, statements } = await countingStatements(/insert into "?outbox/, () =>
      db().transaction(async (tx) => {
        const staged = [];
        for (const title of titles) staged.push(await addToOutbox(tx, 'ticket:updated', ticket({ title })));
        return staged;
      }),
    );
    expect(statements).toBe(1);
    const { rows } = await database.pool.query<{ msg_id: string; payload: EventEnvelope }>('select msg_id, payload from outbox order by seq');
    expect(rows.map((row) => row.msg_id)).toEqual(envelopes.map((envelope) => envelope.id));
    expect(rows.map((row) => row.payload)).toEqual(envelopes);

    await startRelay();
    await waitFor(async () => (await streamMessages()) === 4 && (await outboxCount()) === 0, { what: 'publish' });
    const published = await Promise.all([1, 2, 3, 4].map((seq) => bus.jsm.streams.getMessage(bus.stream, { seq })));
    expect(published.map((message) => message?.json<EventEnvelope<'ticket:updated'>>().data.title)).toEqual(titles);
  });

  it('rejects an invalid payload at write time, so the state change rolls back with it', async () => {
    await expect(
      db().transaction((tx) => addToOutbox(tx, 'ticket:updated', { ...ticket(), price: -1 })),
    ).rejects.toThrow();
    expect(await outboxCount()).toBe(0);
  });

  it("fails the transaction with the outbox insert's own error when Postgres refuses it, and publishes nothing", async () => {
    await startRelay();
    const item = randomUUID();
    // Valid for the catalogue, refused by jsonb (\u0000 cannot be stored): an insert sent with COMMIT that fails in Postgres.
    await expect(
      db().transaction(async (tx) => {
        await tx.execute(sql`insert into replica_items (id, title, version) values (${item}, 'x', 0)`);
        await addToOutbox(tx, 'ticket:updated', ticket({ title: 'nul \u0000 byte' }));
      }),
    ).rejects.toMatchObject(refusedByJsonb);
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket({ title: 'committed' })));
    await waitFor(async () => (await streamMessages()) === 1 && (await outboxCount()) === 0, { what: 'publish' });
    expect((await database.pool.query('select 1 from replica_items where id = $1', [item])).rowCount).toBe(0);
    await sleep(300);
    expect(await streamMessages()).toBe(1);
  });

  it('costs no round trip of its own in a transaction: the insert leaves with COMMIT', async () => {
    await database.pool.query('select 1');
    const { writes } = await countingWrites(() =>
      db().transaction(async (tx) => {
        await tx.execute(sql`select 1`); // a builder: sent a microtask after BEGIN, in a write of its own
        await addToOutbox(tx, 'ticket:updated', ticket({ title: 'first' }));
        await addToOutbox(tx, 'ticket:updated', ticket({ title: 'second' }));
      }),
    );
    expect(writes).toBe(3); // BEGIN; select; both outbox inserts + COMMIT (awaited, each insert was one more)
    const rows = await database.pool.query<{ title: string }>("select payload->'data'->>'title' as title from outbox order by seq");
    expect(rows.rows.map((row) => row.title)).toEqual(['first', 'second']);
  });

  it("is awaited in drizzle's own transaction (a transaction config), where its failure rejects the call itself", async () => {
    await database.db
      .transaction(
        async (tx) => {
          await expect(addToOutbox(tx, 'ticket:updated', ticket({ title: 'nul \u0000 byte' }))).rejects.toMatchObject(refusedByJsonb);
          tx.rollback();
        },
        { isolationLevel: 'read committed' },
      )
      .catch(() => undefined);
    expect(await outboxCount()).toBe(0);
  });

  it('publishes once even if a relay died between publishing and deleting the row', async () => {
    const envelope = await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    // What the dead relay managed to do: publish with the row's message id, but not delete it.
    await publishRaw(envelope, envelope.id);
    await startRelay();
    await waitFor(async () => (await outboxCount()) === 0, { what: 'outbox drained' });
    expect(await streamMessages()).toBe(1);
  });

  it('lets two relays share the outbox without publishing a row twice', async () => {
    const { attempts, countingBus } = countingPublishes();
    await startRelay(countingBus);
    await startRelay(countingBus);
    for (let i = 0; i < 20; i++) {
      await db().transaction(async (tx) => {
        for (let j = 0; j < 10; j++) await addToOutbox(tx, 'ticket:updated', ticket());
      });
    }
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 200, { what: '200 published' });
    expect(attempts.size).toBe(200);
    expect([...attempts.values()].every((n) => n === 1)).toBe(true);
  });

  it('lets another relay publish, within seconds, the rows a relay claimed and then stalled on', async () => {
    for (let i = 0; i < 20; i++) await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    // Relay A reaches Postgres through a proxy that freezes when A starts publishing: A has
    // claimed (deleted, uncommitted) every row, and then its host is as good as gone.
    const proxy = await StallableProxy.start({ host: new URL(database.url).hostname, port: Number(new URL(database.url).port || 5432) });
    const proxiedUrl = new URL(database.url);
    proxiedUrl.hostname = '127.0.0.1';
    proxiedUrl.port = String(proxy.port);
    const stalledPool = openDatabase({ url: proxiedUrl.toString(), poolSize: 2 });
    const vanish = new AbortController();
    let claimed = 0;
    const stallingBus = {
      subjectFor: bus.subjectFor,
      js: {
        publish: () => {
          claimed += 1;
          proxy.freeze();
          return new Promise((_, reject) => vanish.signal.addEventListener('abort', () => reject(new Error('host gone'))));
        },
      },
    } as unknown as TestEventBus;
    const stalled = new OutboxRelay({ pool: stalledPool.pool, bus: stallingBus, logger: silentLogger, pollIntervalMs: 60_000, holdTimeoutMs: 1_000 });
    stops.push(async () => {
      vanish.abort();
      await proxy.close();
      await stalled.stop();
      await stalledPool.close();
    });
    await stalled.start();
    await waitFor(() => claimed === 20, { what: 'the stalled relay to claim every row' });

    const started = Date.now();
    await startRelay();
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 20, { what: 'the other relay to publish the stalled rows' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps rows whose publish fails (the stream is gone) until they are published', async () => {
    const { config } = await bus.jsm.streams.info(bus.stream);
    await bus.jsm.streams.delete(bus.stream);
    await startRelay();
    for (let i = 0; i < 5; i++) await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await sleep(1_500); // several publish attempts fail meanwhile
    expect(await outboxCount()).toBe(5);

    await bus.jsm.streams.add(config);
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 5, { timeoutMs: 15_000, what: 'publish once the stream is back' });
  });

  it('publishes on stop what was staged while its last pass was running', async () => {
    const held = firstPublishHeld();
    const relay = new OutboxRelay({ pool: database.pool, bus: held.bus, logger: silentLogger, pollIntervalMs: 60_000 });
    await relay.start();
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(() => held.publishes() === 1, { what: 'the first pass to be publishing' });
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket())); // staged during that pass
    const stopping = relay.stop();
    held.release();
    await stopping;
    expect(await outboxCount()).toBe(0);
    expect(await streamMessages()).toBe(2);
  });

  it('publishes while request handlers hold every connection of its pool (it keeps its own beside it)', async () => {
    const busyPool = openDatabase({ url: database.url, poolSize: 4 });
    const held: { release(): void }[] = [];
    // The writers use another pool: every row is claimed (the path under test).
    const relay = new OutboxRelay({ pool: busyPool.pool, bus, logger: silentLogger, pollIntervalMs: 60_000, publishOnCommit: false });
    stops.push(async () => {
      for (const client of held) client.release();
      await relay.stop();
      await busyPool.close();
    });
    await relay.start();
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await streamMessages()) === 1, { what: 'the first publish' });
    // Then "request handlers" take every connection the pool has left (LISTEN holds one).
    while (busyPool.pool.totalCount < 4 || busyPool.pool.idleCount > 0) held.push(await busyPool.pool.connect());
    expect(held).toHaveLength(3);

    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await streamMessages()) === 2 && (await outboxCount()) === 0, { what: 'publish with the pool exhausted' });
  });

  it('replaces its own connection when Postgres ends it', async () => {
    const relayDatabase = openDatabase({ url: database.url, poolSize: 4, applicationName: 'relay_under_test' });
    const relay = new OutboxRelay({ pool: relayDatabase.pool, bus, logger: silentLogger, pollIntervalMs: 60_000, publishOnCommit: false });
    stops.push(async () => {
      await relay.stop();
      await relayDatabase.close();
    });
    await relay.start();
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await streamMessages()) === 1, { what: 'the first publish' });
    // Its sessions: LISTEN's, and the relay's own (the one that claims).
    const { rows } = await database.pool.query<{ ended: boolean }>(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
       where datname = current_database() and application_name = 'relay_under_test' and query not like 'listen %'`,
    );
    expect(rows.filter((row) => row.ended)).toHaveLength(1);

    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await streamMessages()) === 2 && (await outboxCount()) === 0, { what: 'publish on a new connection' });
  });

  it('commits its deletes without waiting for the WAL flush, and publishes each row once', async () => {
    // What the relay's own session runs with, seen by a trigger on its DELETE.
    await database.pool.query(`create table relay_session_settings (synchronous_commit text, statement_timeout text)`);
    await database.pool.query(`create function note_relay_settings() returns trigger language plpgsql as $$
      begin insert into relay_session_settings values (current_setting('synchronous_commit'), current_setting('statement_timeout')); return null; end $$`);
    await database.pool.query(`create trigger note_relay_settings after delete on outbox for each statement execute function note_relay_settings()`);
    stops.push(() => database.pool.query(`drop trigger note_relay_settings on outbox; drop function note_relay_settings(); drop table relay_session_settings`));
    await startRelay();
    for (let i = 0; i < 3; i++) await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 3, { what: 'publish' });

    const { rows } = await database.pool.query<{ synchronous_commit: string; statement_timeout: string }>('select * from relay_session_settings');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.synchronous_commit === 'off' && row.statement_timeout === '10s')).toBe(true);
    // The writers' own commits are untouched: the event exists iff their transaction committed durably.
    expect((await database.pool.query('show synchronous_commit')).rows[0].synchronous_commit).toBe('on');
  });

  it('commits a batch and claims the next in one round trip when a NOTIFY came during the batch', async () => {
    // Every claim any client sends (only the relay claims), as Postgres receives it.
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (typeof args[0] === 'string' && args[0].includes('delete from outbox')) sent.push(args[0].replace(/\s+/g, ' ').trim());
      return (query as (...queryArgs: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    stops.push(async () => {
      pg.Client.prototype.query = query;
    });
    const held = firstPublishHeld();
    const relay = new OutboxRelay({ pool: database.pool, bus: held.bus, logger: silentLogger, pollIntervalMs: 60_000, publishOnCommit: false });
    stops.push(async () => {
      held.release();
      await relay.stop();
    });
    await relay.start();
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(() => held.publishes() === 1, { what: 'the first batch to be publishing' });
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket())); // its NOTIFY arrives during that batch
    await sleep(100);
    held.release();
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 2, { what: 'both published' });

    expect(sent.some((text) => text.startsWith('commit; begin;'))).toBe(true);
    await sleep(300);
    expect(await streamMessages()).toBe(2);
  });

  it('at a trickle, takes the last batch\'s commit along with the next claim, and commits it alone when nothing follows', async () => {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      // The relay's own connection (the writers' pooled ones are pipelined).
      if (!this.pipeline && typeof args[0] === 'string' && /delete from outbox|^commit$/.test(args[0].trim())) sent.push(args[0].replace(/\s+/g, ' ').trim());
      return (query as (...queryArgs: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    stops.push(async () => {
      pg.Client.prototype.query = query;
    });
    const relay = new OutboxRelay({ pool: database.pool, bus, logger: silentLogger, pollIntervalMs: 60_000, commitHoldMs: 1_500, publishOnCommit: false });
    await relay.start();
    stops.push(() => relay.stop());
    await waitFor(() => sent.length === 2, { what: 'the first (empty) pass' }); // nothing published: committed at once
    for (let i = 1; i <= 3; i++) {
      await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
      await waitFor(async () => (await streamMessages()) === i, { what: `event ${i} published` });
    }
    // Events 2 and 3 were claimed together with the commit of the batch before; no lone commit yet.
    expect(sent.slice(2).map((text) => text.split(';')[0])).toEqual(['begin', 'commit', 'commit']);
    expect(await outboxCount()).toBe(1); // published, its delete held for the next claim
    // Nothing follows (the poll is a minute away): the held commit goes alone.
    await waitFor(async () => (await outboxCount()) === 0, { what: 'the held commit' });
    expect(sent.at(-1)).toBe('commit');
    expect(await streamMessages()).toBe(3);
  });

  it('publishes within milliseconds of the commit when it claims every row (woken by NOTIFY, not the poll)', async () => {
    const relay = new OutboxRelay({ pool: database.pool, bus, logger: silentLogger, pollIntervalMs: 60_000, publishOnCommit: false });
    await relay.start();
    stops.push(() => relay.stop());
    await sleep(50);
    const started = Date.now();
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await streamMessages()) === 1, { intervalMs: 5, what: 'publish' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('publishing as transactions commit (publishOnCommit)', () => {
  /** The claims the relay sends from now on (every `delete from outbox where seq …`). */
  function countClaims() {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      if (typeof args[0] === 'string' && args[0].includes('delete from outbox where seq')) sent.push(args[0]);
      return (query as (...queryArgs: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    stops.push(async () => {
      pg.Client.prototype.query = query;
    });
    return () => sent.length;
  }

  it('sends no NOTIFY for what its relay publishes at commit; a writer whose pool has no such relay wakes the claiming relays', async () => {
    const listening = new pg.Client({ connectionString: database.url });
    await listening.connect();
    stops.push(() => listening.end());
    const heard: string[] = [];
    listening.on('notification', (notification) => heard.push(notification.channel));
    await listening.query(`listen ${OUTBOX_CHANNEL}`);
    const stage = () => db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    const relay = new OutboxRelay({ pool: database.pool, bus, logger: silentLogger, pollIntervalMs: 200 });
    await relay.start();
    let running = true;
    stops.push(async () => running && (await relay.stop()));

    await stage();
    await waitFor(async () => (await streamMessages()) === 1 && (await outboxCount()) === 0, { what: 'the event published' });
    await sleep(200); // a NOTIFY is delivered at the writer's commit: it would be here by now
    expect(heard).toEqual([]); // neither from addToOutbox nor from a trigger on the table

    running = false;
    await relay.stop();
    await stage(); // no relay publishes this pool's commits now
    await waitFor(() => heard.length === 1, { what: 'the NOTIFY for a claiming relay' });
    expect(heard).toEqual([OUTBOX_CHANNEL]);
  });

  it('publishes an event the moment its transaction commits, without a claim, and then deletes its row', async () => {
    const relay = new OutboxRelay({ pool: database.pool, bus, logger: silentLogger, pollIntervalMs: 60_000 });
    const claims = countClaims();
    await relay.start();
    stops.push(() => relay.stop());
    await waitFor(() => claims() === 1, { what: 'the first pass at start' });
    await sleep(100); // its commit: from then on, events go out as they commit
    for (let i = 1; i <= 3; i++) {
      await db().transaction(async (tx) => {
        await addToOutbox(tx, 'ticket:updated', ticket({ title: `event ${i}a` }));
        await addToOutbox(tx, 'ticket:updated', ticket({ title: `event ${i}b` }));
      });
    }
    await waitFor(async () => (await streamMessages()) === 6 && (await outboxCount()) === 0, { what: 'published and deleted' });
    expect(claims()).toBe(1);
    const titles = await Promise.all([1, 2, 3, 4, 5, 6].map(async (seq) => (await bus.jsm.streams.getMessage(bus.stream, { seq }))?.json<EventEnvelope<'ticket:updated'>>().data.title));
    expect(titles).toEqual(['event 1a', 'event 1b', 'event 2a', 'event 2b', 'event 3a', 'event 3b']);
  });

  it('sends what commits while a publish awaits its ack together after it, in commit order', async () => {
    const held = firstPublishHeld();
    const relay = new OutboxRelay({ pool: database.pool, bus: held.bus, logger: silentLogger, pollIntervalMs: 60_000 });
    await relay.start();
    stops.push(async () => {
      held.release();
      await relay.stop();
    });
    await sleep(100); // the first pass is over
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket({ title: 'first' })));
    await waitFor(() => held.publishes() === 1, { what: 'the first publish' });
    for (const title of ['second', 'third']) await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket({ title })));
    await sleep(100);
    expect(held.publishes()).toBe(1);
    held.release();
    await waitFor(async () => (await streamMessages()) === 3 && (await outboxCount()) === 0, { what: 'all three' });
    const titles = await Promise.all([1, 2, 3].map(async (seq) => (await bus.jsm.streams.getMessage(bus.stream, { seq }))?.json<EventEnvelope<'ticket:updated'>>().data.title));
    expect(titles).toEqual(['first', 'second', 'third']);
  });

  it('publishes nothing that a rolled-back transaction, or a batch handler undone alone, staged', async () => {
    const relay = new OutboxRelay({ pool: database.pool, bus, logger: silentLogger, pollIntervalMs: 60_000 });
    await relay.start();
    stops.push(() => relay.stop());
    await db().transaction(async (tx) => {
      await addToOutbox(tx, 'ticket:updated', ticket({ title: 'rolled back' }));
      throw new Error('rolled back');
    }).catch(() => undefined);
    const batch = ['first', 'undone', 'last'].map((title) => ({
      eventId: randomUUID(),
      redelivered: false,
      handle: async ({ tx }: HandlerContext) => {
        await addToOutbox(tx, 'ticket:updated', ticket({ title }));
        if (title === 'undone') throw new Error('fails after staging');
      },
    }));
    const outcomes = await new PostgresListenerStore(db()).runBatch!('svc-x', batch, silentLogger);
    expect(outcomes.map((o) => o.outcome)).toEqual(['processed', 'failed', 'processed']);
    await waitFor(async () => (await streamMessages()) === 2 && (await outboxCount()) === 0, { what: 'the two committed events' });
    await sleep(300);
    expect(await streamMessages()).toBe(2);
    const titles = await Promise.all([1, 2].map(async (seq) => (await bus.jsm.streams.getMessage(bus.stream, { seq }))?.json<EventEnvelope<'ticket:updated'>>().data.title));
    expect(titles).toEqual(['first', 'last']);
  });

  it('publishes through the outbox after such a publish fails, and as transactions commit again once the outbox is drained', async () => {
    const { config } = await bus.jsm.streams.info(bus.stream);
    const relay = new OutboxRelay({ pool: database.pool, bus, logger: silentLogger, pollIntervalMs: 200 });
    await relay.start();
    stops.push(() => relay.stop());
    await bus.jsm.streams.delete(bus.stream);
    for (let i = 0; i < 3; i++) await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await sleep(500);
    expect(await outboxCount()).toBe(3);
    await bus.jsm.streams.add(config);
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 3, { timeoutMs: 15_000, what: 'publish once the stream is back' });

    const claims = countClaims();
    await sleep(400); // a poll or two: nothing young is claimed
    const before = claims();
    await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await streamMessages()) === 4 && (await outboxCount()) === 0, { what: 'the next event' });
    // Only the polls claimed (they find nothing young); a poll every 200 ms.
    expect(claims() - before).toBeLessThanOrEqual(2);
  });

  it('leaves young rows to the relay that is publishing them: two relays on one outbox publish each event once', async () => {
    const { attempts, countingBus } = countingPublishes();
    // One publishes as transactions commit on its pool; the other (another replica) polls often.
    const other = openDatabase({ url: database.url, poolSize: 2 });
    const claiming = new OutboxRelay({ pool: other.pool, bus: countingBus, logger: silentLogger, pollIntervalMs: 20 });
    stops.push(async () => {
      await claiming.stop();
      await other.close();
    });
    await claiming.start();
    await startRelay(countingBus);
    // Both first passes are over (a relay's first pass claims every row there is, young or not).
    await sleep(200);
    for (let i = 0; i < 50; i++) await db().transaction((tx) => addToOutbox(tx, 'ticket:updated', ticket()));
    await waitFor(async () => (await outboxCount()) === 0 && (await streamMessages()) === 50, { what: '50 published' });
    expect(attempts.size).toBe(50);
    expect([...attempts.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('event stream', () => {
  it('bounds the stream by age and size, refusing new events when full instead of dropping unread ones', async () => {
    const { config } = await bus.jsm.streams.info(bus.stream);
    expect(config).toMatchObject({ max_age: 7 * 24 * 3600 * 1e9, max_bytes: 8 * 1024 ** 3, discard: 'new' });
  });
});

describe('listener runner', () => {
  /** A replica that counts how often its handler really applied something. */
  const counter = () => {
    const applied: string[] = [];
    const listener = defineListener({
      event: 'ticket:updated',
      async handle(event, { tx }) {
        applied.push(event.id);
        await tx.execute(sql`insert into replica_items (id, title, version) values (${event.data.id}, ${event.data.title}, ${event.data.version})
          on conflict (id) do update set title = excluded.title, version = excluded.version`);
      },
    });
    return { applied, listener };
  };

  it('applies an event delivered twice only once', async () => {
    const { applied, listener } = counter();
    await startRunner([listener]);
    const envelope = envelopeOf(ticket());
    await publishRaw(envelope);
    await publishRaw(envelope); // a second copy with another message id slips past JetStream's de-dup
    await waitFor(async () => (await db().execute(sql`select 1 from processed_events`)).rowCount === 1);
    await sleep(300);
    expect(applied).toEqual([envelope.id]);
  });

  it('redelivers after a handler throws, and then applies the event', async () => {
    let calls = 0;
    await startRunner([
      defineListener({
        event: 'ticket:updated',
        async handle(event, { tx }) {
          calls += 1;
          await tx.execute(sql`insert into replica_items (id, title, version) values (${event.data.id}, 'x', 0)`);
          if (calls === 1) throw new Error('transient failure');
        },
      }),
    ]);
    const data = ticket();
    await publishRaw(envelopeOf(data));
    await waitFor(async () => (await db().execute(sql`select 1 from replica_items where id = ${data.id}`)).rowCount === 1, { what: 'applied' });
    expect(calls).toBe(2);
  });

  it('parks a message that keeps failing as a dead letter, keeps the queue moving, and replays it', async () => {
    let poisoned = true;
    const { applied } = counter();
    await startRunner([
      defineListener({
        event: 'ticket:updated',
        maxDeliver: 2,
        async handle(event) {
          if (event.data.title === 'poison' && poisoned) throw new Error('cannot handle this');
          applied.push(event.data.title);
        },
      }),
    ]);
    await startRelay();
    const poison = envelopeOf(ticket({ title: 'poison' }));
    await publishRaw(poison);
    await publishRaw(envelopeOf(ticket({ title: 'after' })));
    await waitFor(() => applied.includes('after'), { what: 'later message' });
    const [letter] = await waitFor(async () => {
      const letters = await listDeadLetters(db());
      return letters.length === 1 ? letters : undefined;
    }, { what: 'dead letter' });
    expect(letter).toMatchObject({ consumer: 'svc-ticket-updated', eventId: poison.id, deliveries: 2 });
    expect(letter!.error).toMatch(/cannot handle this/);

    poisoned = false;
    await replayDeadLetter(db(), letter!.id);
    await waitFor(() => applied.includes('poison'), { what: 'replayed message' });
    await waitFor(async () => (await listDeadLetters(db())).length === 0, { what: 'the letter marked replayed' });
    // Replayed in the consuming process, through its handler: nothing was published again.
    expect(await streamMessages()).toBe(2);
    expect((await listDeadLetters(db(), { includeReplayed: true }))[0]).toMatchObject({ id: letter!.id, replayedAt: expect.any(Date) });
  });

  it('keeps retrying an event that is not applicable yet beyond maxDeliver, then applies it', async () => {
    let attempts = 0;
    const { applied } = counter();
    await startRunner([
      defineListener({
        event: 'ticket:updated',
        maxDeliver: 2,
        async handle(event) {
          attempts += 1;
          if (attempts < 5) throw new RetryLater('missing an earlier version');
          applied.push(event.id);
        },
      }),
    ]);
    await publishRaw(envelopeOf(ticket()));
    await waitFor(() => applied.length === 1, { what: 'applied after waiting' });
    expect(await listDeadLetters(db())).toEqual([]);
  });

  /** A replica that applies ticket versions strictly in order (RetryLater while one is missing). */
  const inOrder = (maxWaitMs: number) => {
    const order: number[] = [];
    const listener = defineListener({
      event: 'ticket:updated',
      maxWaitMs,
      // A stopped runner leaves the messages it had pulled but not handled to JetStream's ack
      // wait; keep that short so a hand-over test does not wait 30 s for them.
      ackWaitMs: 1_000,
      async handle(event, { tx }) {
        const { rows } = await tx.execute<{ version: number }>(sql`select version from replica_items where id = ${event.data.id}`);
        if (checkVersion(rows[0]?.version, event.data.version, 'item') === 'stale') return;
        await tx.execute(sql`insert into replica_items (id, title, version) values (${event.data.id}, ${event.data.title}, ${event.data.version})
          on conflict (id) do update set title = excluded.title, version = excluded.version`);
        order.push(event.data.version);
      },
    });
    return { order, listener };
  };
  const attemptRows = async () => (await database.pool.query<{ consumer: string; waiting_since: Date | null; failures: number }>('select * from event_attempts')).rows;

  it('never parks an event for waiting, even when its consumer was down far longer than the wait budget', async () => {
    const { order, listener } = inOrder(300);
    const runner = await startRunner([listener]);
    await runner.stop();
    // A backlog piles up while the consumer is down, older than the budget when it comes back:
    // a budget counted from the publish time would dead-letter every event that has to wait.
    const id = randomUUID();
    for (const version of [2, 1, 0]) await publishRaw(envelopeOf(ticket({ id, version, title: `v${version}` })));
    await sleep(1_000);
    await startRunner([listener]);
    await waitFor(() => order.length === 3, { what: 'all versions applied' });
    expect(order).toEqual([0, 1, 2]);
    expect(await listDeadLetters(db())).toEqual([]);
    await waitFor(async () => (await attemptRows()).length === 0, { what: 'attempts cleaned up' });
  });

  it('keeps a wait across a restart and a hand-over to another replica, reports its age, and never parks it', async () => {
    const { order, listener } = inOrder(200);
    const metrics = new ServiceMetrics('test');
    const first = await startRunner([listener], 'svc', { metrics, metricsIntervalMs: 100 });
    const id = randomUUID();
    await publishRaw(envelopeOf(ticket({ id, version: 1, title: 'v1' })));
    const [row] = await waitFor(async () => {
      const rows = await attemptRows();
      return rows.length === 1 && rows[0]!.waiting_since ? rows : undefined;
    }, { what: 'wait recorded' });
    expect(row).toMatchObject({ consumer: 'svc-ticket-updated', failures: 0 });
    await first.stop(); // the replica goes away mid-wait, for longer than the budget
    await sleep(800);

    const secondMetrics = new ServiceMetrics('test');
    await startRunner([listener], 'svc', { metrics: secondMetrics, metricsIntervalMs: 100 });
    // The new replica reports the wait from when it began, not from when it took over.
    await waitFor(async () => {
      const gauge = await secondMetrics.oldestWaitingAge.get();
      return (gauge.values.find((v) => v.labels.consumer === 'svc-ticket-updated')?.value ?? 0) >= 0.8;
    }, { what: 'oldest waiting age across the hand-over' });
    expect(await listDeadLetters(db())).toEqual([]);

    await publishRaw(envelopeOf(ticket({ id, version: 0, title: 'v0' })));
    await waitFor(() => order.length === 2, { what: 'both versions applied' });
    expect(order).toEqual([0, 1]);
    await waitFor(async () => (await attemptRows()).length === 0, { what: 'the wait record deleted with the commit' });
    await waitFor(async () => (await secondMetrics.oldestWaitingAge.get()).values.every((v) => v.value === 0), { what: 'gauge back to 0' });
    expect(await listDeadLetters(db())).toEqual([]);
  });

  it('parks a poison message after maxDeliver real failures, not counting its "not yet" retries', async () => {
    let waits = 0;
    let failures = 0;
    await startRunner([
      defineListener({
        event: 'ticket:updated',
        maxDeliver: 3,
        async handle() {
          if (waits < 6) {
            waits += 1;
            throw new RetryLater('waiting for something first');
          }
          failures += 1;
          throw new Error('cannot handle this');
        },
      }),
    ]);
    const poison = envelopeOf(ticket());
    await publishRaw(poison);
    const [letter] = await waitFor(async () => {
      const letters = await listDeadLetters(db());
      return letters.length ? letters : undefined;
    }, { what: 'dead letter' });
    expect(failures).toBe(3);
    expect(letter).toMatchObject({ eventId: poison.id, deliveries: 9 });
    expect(await attemptRows()).toEqual([]);
  });

  it('does not re-apply old events when its consumer is recreated (it starts from the beginning of the stream)', async () => {
    const { applied, listener } = counter();
    const first = await startRunner([listener]);
    const old = [envelopeOf(ticket()), envelopeOf(ticket()), envelopeOf(ticket())];
    for (const envelope of old) await publishRaw(envelope);
    await waitFor(() => applied.length === 3, { what: 'old events applied' });
    await first.stop();
    await bus.jsm.consumers.delete(bus.stream, 'svc-ticket-updated');

    await startRunner([listener]);
    const fresh = envelopeOf(ticket());
    await publishRaw(fresh);
    await waitFor(async () => {
      const info = await bus.jsm.consumers.info(bus.stream, 'svc-ticket-updated');
      return info.delivered.stream_seq === 4 && info.num_ack_pending === 0 && info.num_pending === 0;
    }, { what: 'the recreated consumer to go through the whole stream' });
    expect(applied).toHaveLength(4); // the three old ones once each (before), the new one once
    expect(new Set(applied)).toEqual(new Set([...old.map((e) => e.id), fresh.id]));
  });

  it('dead-letters a message that is not a valid event at once', async () => {
    const { applied, listener } = counter();
    await startRunner([listener]);
    await bus.js.publish(bus.subjectFor('ticket:updated'), 'not json at all');
    await publishRaw(envelopeOf(ticket({ title: 'good' })));
    const letters = await waitFor(async () => ((await listDeadLetters(db())).length ? listDeadLetters(db()) : undefined));
    expect(letters[0]).toMatchObject({ payload: 'not json at all', deliveries: 1 });
    await waitFor(() => applied.length === 1, { what: 'good message' });
    await expect(replayDeadLetter(db(), letters[0]!.id)).rejects.toThrow(/cannot be replayed/);
  });

  it('holds back an event whose version is ahead until the missing one arrives', async () => {
    const order: number[] = [];
    await startRunner([
      defineListener({
        event: 'ticket:updated',
        async handle(event, { tx }) {
          const { rows } = await tx.execute<{ version: number }>(sql`select version from replica_items where id = ${event.data.id}`);
          if (checkVersion(rows[0]?.version, event.data.version, 'item') === 'stale') return;
          await tx.execute(sql`insert into replica_items (id, title, version) values (${event.data.id}, ${event.data.title}, ${event.data.version})
            on conflict (id) do update set title = excluded.title, version = excluded.version`);
          order.push(event.data.version);
        },
      }),
    ]);
    const id = randomUUID();
    await publishRaw(envelopeOf(ticket({ id, version: 2, title: 'v2' })));
    await publishRaw(envelopeOf(ticket({ id, version: 1, title: 'v1' })));
    await sleep(300);
    expect(order).toEqual([]); // v0 is missing: nothing may be applied
    await publishRaw(envelopeOf(ticket({ id, version: 0, title: 'v0' })));
    await waitFor(() => order.length === 3, { what: 'all versions' });
    expect(order).toEqual([0, 1, 2]);
    // The handler records the version before its transaction commits: wait for the commit.
    await waitFor(async () => (await db().execute<{ title: string }>(sql`select title from replica_items where id = ${id}`)).rows[0]?.title === 'v2', { what: 'v2 committed' });
    await sleep(300);
    expect(order).toEqual([0, 1, 2]);
  });

  it('applies a backlog in shared transactions: an event that fails is undone alone and retried, every other applied once', async () => {
    const calls = new Map<string, number>();
    const transactions = new Set<string>();
    let failing = '';
    const listener = defineListener({
      event: 'ticket:updated',
      async handle(event, { tx }) {
        calls.set(event.data.id, (calls.get(event.data.id) ?? 0) + 1);
        const { rows } = await tx.execute<{ txid: string }>(sql`select txid_current()::text as txid`);
        transactions.add(rows[0]!.txid);
        // A plain insert: had the failed attempt's row survived, the retry would fail for ever.
        await tx.execute(sql`insert into replica_items (id, title, version) values (${event.data.id}, ${event.data.title}, 0)`);
        if (event.data.id === failing && calls.get(event.data.id) === 1) throw new Error('fails once, after writing');
      },
    });
    const items = Array.from({ length: 40 }, () => ticket());
    failing = items[17]!.id;
    // Published before the runner starts, so they arrive together as a backlog does.
    // One id in upper case: Postgres gives uuids back in lower case, and it must still be applied.
    for (const [i, item] of items.entries()) await publishRaw(i === 5 ? { ...envelopeOf(item), id: randomUUID().toUpperCase() } : envelopeOf(item));
    await startRunner([listener]);

    await waitFor(async () => Number((await database.pool.query('select count(*) from replica_items')).rows[0].count) === 40, { what: 'all applied' });
    await waitFor(async () => Number((await database.pool.query('select count(*) from processed_events')).rows[0].count) === 40, { what: 'all recorded' });
    await sleep(300);
    expect(items.map((item) => calls.get(item.id))).toEqual(items.map((item) => (item.id === failing ? 2 : 1)));
    expect(transactions.size).toBeLessThan(20); // 40 events (and a retry) in shared transactions
    expect(await listDeadLetters(db())).toEqual([]);
  });

  it('answers caughtUpWith for a burst at once when the other consumer is idle, without sending events back', async () => {
    const answers: boolean[] = [];
    await startRunner([
      defineListener({ event: 'ticket:created', async handle() {} }),
      defineListener({
        event: 'ticket:updated',
        async handle(_event, _ctx, delivery) {
          answers.push(await delivery.caughtUpWith('ticket:created'));
        },
      }),
    ]);
    // One after another, so events keep arriving while a position request is under way.
    for (let i = 0; i < 150; i += 1) await publishRaw(envelopeOf(ticket()));
    await waitFor(() => answers.length >= 150, { what: '150 answers' });
    expect(answers.filter((answer) => !answer)).toEqual([]);
  });

  it('does not answer caughtUpWith while an earlier event of the other consumer waits out a failure', async () => {
    // A message nak'ed with a delay is still unacknowledged to JetStream (num_ack_pending), so
    // the consumer is not idle and its ack floor stays below the message until it is applied.
    let createdFailures = 0;
    let createdApplied = false;
    const observed: { fair: boolean; createdApplied: boolean }[] = [];
    await startRunner([
      defineListener({
        event: 'ticket:created',
        async handle() {
          if (createdFailures === 0) {
            createdFailures += 1;
            throw new Error('first attempt fails');
          }
          createdApplied = true;
        },
      }),
      defineListener({
        event: 'ticket:updated',
        async handle(_event, _ctx, delivery) {
          const fair = await delivery.caughtUpWith('ticket:created');
          observed.push({ fair, createdApplied });
          if (!fair) throw new RetryLater('an earlier ticket:created is not applied yet');
        },
      }),
    ]);
    await publishTicketCreated();
    await waitFor(() => createdFailures === 1, { what: 'the first attempt to fail' });
    await sleep(100); // its failure recorded and the nak sent: it now waits out its retry delay
    await publishRaw(envelopeOf(ticket()));
    await waitFor(() => observed.some((o) => o.fair), { what: 'a fair answer', timeoutMs: 10_000 });
    expect(observed.filter((o) => o.fair && !o.createdApplied)).toEqual([]);
  });

  it('answers caughtUpWith while the other consumer is busy only with a later event', async () => {
    // The race at the payment deadline: an authorization published just after the expiry is in
    // flight on its own consumer. It is later than the expiry, so the expiry must not wait for it
    // (the ack floor alone stays below both until the later one is applied).
    let releaseCreated!: () => void;
    const createdHeld = new Promise<void>((resolve) => (releaseCreated = resolve));
    let createdInFlight = false;
    const answers: boolean[] = [];
    await startRunner([
      defineListener({
        event: 'ticket:created',
        async handle() {
          createdInFlight = true;
          await createdHeld;
        },
      }),
      defineListener({
        event: 'ticket:updated',
        async handle(_event, _ctx, delivery) {
          await waitFor(() => createdInFlight, { what: 'the later ticket:created in flight' });
          answers.push(await delivery.caughtUpWith('ticket:created'));
          releaseCreated();
        },
      }),
    ]);
    await publishRaw(envelopeOf(ticket()));
    await publishTicketCreated();
    await waitFor(() => answers.length > 0, { what: 'an answer' });
    expect(answers).toEqual([true]);
  });

  it('shares a durable consumer between two processes: each event is handled once in total', async () => {
    const handledBy = new Map<string, string[]>();
    const replica = (name: string) =>
      defineListener({
        event: 'ticket:updated',
        async handle(event) {
          handledBy.set(event.id, [...(handledBy.get(event.id) ?? []), name]);
          await sleep(2);
        },
      });
    // Two runners with the same service name are what two replicas of a service are.
    const secondBus = await createTestEventBus('core2');
    stops.push(() => secondBus.close());
    await startRunner([replica('a')]);
    const other = new ListenerRunner({
      service: 'svc', bus: { ...secondBus, stream: bus.stream, subjectFor: bus.subjectFor },
      store: new PostgresListenerStore(db()), listeners: [replica('b')], logger: silentLogger,
    });
    await other.start();
    stops.push(() => other.stop());
    await secondBus.jsm.streams.delete(secondBus.stream);

    await Promise.all(Array.from({ length: 100 }, () => publishRaw(envelopeOf(ticket()))));
    await waitFor(() => handledBy.size === 100, { what: '100 events' });
    await sleep(300);
    expect([...handledBy.values()].every((names) => names.length === 1)).toBe(true);
    const byA = [...handledBy.values()].filter(([n]) => n === 'a').length;
    expect(byA).toBeGreaterThan(0);
    expect(byA).toBeLessThan(100);
  });
});

describe('listener store transactions (pipelined: BEGIN with the claim, a savepoint with the first statement)', () => {
  const store = () => new PostgresListenerStore(db());
  const claims = async (eventId: string) => Number((await database.pool.query('select count(*) from processed_events where event_id = $1', [eventId])).rows[0].count);
  const items = async () => Number((await database.pool.query('select count(*) from replica_items')).rows[0].count);
  const insertItem = (tx: HandlerContext['tx'], id = randomUUID()) => tx.execute(sql`insert into replica_items (id, title, version) values (${id}, 'x', 0)`);

  it('leaves no claim and no write when the handler throws after writing; the retry applies it once, then it is a duplicate', async () => {
    const eventId = randomUUID();
    const failing = async ({ tx }: HandlerContext) => {
      await insertItem(tx);
      throw new Error('handler failed');
    };
    await expect(store().runOnce('svc-x', eventId, silentLogger, failing)).rejects.toThrow('handler failed');
    expect([await claims(eventId), await items()]).toEqual([0, 0]);
    await expect(store().runOnce('svc-x', eventId, silentLogger, ({ tx }) => insertItem(tx).then(() => undefined), { redelivered: true })).resolves.toBe('processed');
    await expect(store().runOnce('svc-x', eventId, silentLogger, ({ tx }) => insertItem(tx).then(() => undefined))).resolves.toBe('duplicate');
    expect([await claims(eventId), await items()]).toEqual([1, 1]);
  });

  it('does not report as applied an event whose handler caught a database error (the commit rolled back)', async () => {
    const eventId = randomUUID();
    const swallowing = async ({ tx }: HandlerContext) => {
      await insertItem(tx);
      await tx.execute(sql`select 1 / 0`).catch(() => undefined);
    };
    // drizzle's transaction() resolved here, so the event was acked with nothing written.
    await expect(store().runOnce('svc-x', eventId, silentLogger, swallowing)).rejects.toThrow(/aborted/);
    await expect(store().runBatch!('svc-x', [{ eventId, redelivered: false, handle: swallowing }, { eventId: randomUUID(), redelivered: false, handle: async () => {} }], silentLogger)).rejects.toThrow();
    expect([await claims(eventId), await items()]).toEqual([0, 0]);
  });

  it('loses nothing and applies nothing twice when the connection is lost mid-handler', async () => {
    const eventId = randomUUID();
    const killed = async ({ tx }: HandlerContext) => {
      await insertItem(tx);
      const { rows } = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
      await database.pool.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await insertItem(tx);
    };
    await expect(store().runOnce('svc-x', eventId, silentLogger, killed)).rejects.toThrow();
    expect([await claims(eventId), await items()]).toEqual([0, 0]);
    await expect(store().runOnce('svc-x', eventId, silentLogger, ({ tx }) => insertItem(tx).then(() => undefined), { redelivered: true })).resolves.toBe('processed');
    expect([await claims(eventId), await items()]).toEqual([1, 1]);
  });

  // A prepared statement is sent when it is called; a drizzle builder only when awaited (a microtask later, in a write of its own).
  const insertPrepared = (tx: HandlerContext['tx']) =>
    connectionOf(tx).query({ name: 'test_core_insert_item', text: "insert into replica_items (id, title, version) values ($1, 'x', 0)", values: [randomUUID()] });

  it('undoes a failing handler of a batch alone, and sends each savepoint with its handler\'s first statement', async () => {
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const batch = ids.map((eventId, i) => ({
      eventId,
      redelivered: i === 0,
      handle: async ({ tx }: HandlerContext) => {
        await insertPrepared(tx);
        if (i === 3) throw new Error('fails after writing');
      },
    }));
    await database.pool.query('select 1'); // a connection is open and idle, so none is opened during the count
    const { result: outcomes, writes } = await countingWrites(() => store().runBatch!('svc-x', batch, silentLogger));
    expect(outcomes.map((o) => o.outcome)).toEqual(['processed', 'processed', 'processed', 'failed', 'processed', 'processed']);
    expect(await Promise.all(ids.map(claims))).toEqual([1, 1, 1, 0, 1, 1]);
    expect(await items()).toBe(5);
    // BEGIN + claims; per event savepoint + insert; the failed one's rollback + unclaim; attempts clean-up + COMMIT.
    // Awaited one by one: 2 + 2 × 6 + 2 + 2 = 18.
    expect(writes).toBe(1 + 6 + 1 + 1);
  });

  describe('a handler that stages an event (its outbox insert is sent with COMMIT)', () => {
    const staged = async () => (await database.pool.query<{ id: string }>("select payload->'data'->>'id' as id from outbox")).rows.map((row) => row.id).sort();
    /** A handler that writes an item and stages ticket:updated for it; `poison` makes Postgres refuse the outbox insert. */
    const staging = (eventId: string, itemId: string, how: 'ok' | 'poison' | 'throws' = 'ok') => ({
      eventId,
      redelivered: false,
      handle: async ({ tx }: HandlerContext) => {
        await insertPrepared(tx);
        await addToOutbox(tx, 'ticket:updated', ticket({ id: itemId, title: how === 'poison' ? 'nul \u0000 byte' : 'ok' }));
        if (how === 'throws') throw new Error('fails after staging');
      },
    });

    it('runOnce: the insert leaves with COMMIT; when Postgres refuses it the event fails with that error and leaves nothing', async () => {
      const [eventId, itemId] = [randomUUID(), randomUUID()];
      await database.pool.query('select 1');
      const { writes } = await countingWrites(() => store().runOnce('svc-x', eventId, silentLogger, staging(eventId, itemId).handle));
      expect(writes).toBe(3); // BEGIN + claim; the item; outbox + COMMIT
      expect(await staged()).toEqual([itemId]);

      const poisoned = randomUUID();
      await expect(store().runOnce('svc-x', poisoned, silentLogger, staging(poisoned, randomUUID(), 'poison').handle)).rejects.toMatchObject(refusedByJsonb);
      expect([await claims(poisoned), await items(), (await staged()).length]).toEqual([0, 1, 1]);
    });

    it('runBatch: all inserts leave with COMMIT (no round trip per staged event); a handler rolled back to its savepoint leaves no row', async () => {
      const itemIds = Array.from({ length: 5 }, () => randomUUID());
      const how = ['ok', 'ok', 'throws', 'ok', 'ok'] as const;
      const batch = itemIds.map((itemId, i) => staging(randomUUID(), itemId, how[i]));
      await database.pool.query('select 1');
      const { result: outcomes, writes } = await countingWrites(() => store().runBatch!('svc-x', batch, silentLogger));
      expect(outcomes.map((o) => o.outcome)).toEqual(['processed', 'processed', 'failed', 'processed', 'processed']);
      expect((outcomes[2] as { error: Error }).error.message).toBe('fails after staging');
      // BEGIN + claims; per event its savepoint + item; the failed one's rollback + unclaim; the four inserts + COMMIT.
      expect(writes).toBe(1 + 5 + 1 + 1);
      expect(await staged()).toEqual([itemIds[0], itemIds[1], itemIds[3], itemIds[4]].sort());
    });

    it('runBatch: a refused insert fails the batch with its error, committing nothing', async () => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const batch = ids.map((eventId, i) => staging(eventId, randomUUID(), i === 1 ? 'poison' : 'ok'));
      await expect(store().runBatch!('svc-x', batch, silentLogger)).rejects.toMatchObject(refusedTogetherByJsonb);
      expect([...(await Promise.all(ids.map(claims))), await items(), (await staged()).length]).toEqual([0, 0, 0, 0, 0]);
    });

    it('through the runner, a refused outbox insert anywhere in a batch fails only its own event', async () => {
      const itemIds = Array.from({ length: 6 }, () => randomUUID());
      const poisoned = new Set<string>([itemIds[2]!, itemIds[5]!]); // one in the middle, one last
      const listener = defineListener({
        event: 'ticket:updated',
        maxDeliver: 1,
        async handle(event, { tx }) {
          await tx.execute(sql`insert into replica_items (id, title, version) values (${event.data.id}, 'x', 0)`);
          await addToOutbox(tx, 'ticket:created', { ...event.data, title: poisoned.has(event.data.id) ? 'nul \u0000 byte' : 'ok' });
        },
      });
      for (const id of itemIds) await publishRaw(envelopeOf(ticket({ id })));
      await startRunner([listener], 'svc', { concurrency: 1 });
      const letters = await waitFor(
        async () => {
          const found = await listDeadLetters(db());
          return found.length === 2 ? found : undefined;
        },
        { what: 'the two poisoned events parked' },
      );
      expect(letters.map((letter) => letter.error).every((error) => /Failed query: insert into "outbox"/.test(error))).toBe(true);
      const applied = itemIds.filter((id) => !poisoned.has(id)).sort();
      await waitFor(async () => (await items()) === 4, { what: 'the others applied' });
      expect((await database.pool.query<{ id: string }>('select id from replica_items order by id')).rows.map((row) => row.id)).toEqual(applied);
      expect(await staged()).toEqual(applied);
    });
  });
});
