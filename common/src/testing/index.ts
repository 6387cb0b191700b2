/**
 * Helpers for tests that run against the real Postgres and NATS started by infra/setup.sh.
 * Each jest worker gets its own database; each bus gets its own stream and subject prefix, so
 * test files, workers and a running `npm start` never see each other's data.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import pino from 'pino';
import { connectEventBus, type EventBus } from '../bus/event-bus';
import { durableName, type AnyListener, type HandlerContext, type ListenerStore } from '../bus/listener';
import { ListenerRunner } from '../bus/listener-runner';
import { PostgresListenerStore } from '../bus/postgres-listener-store';
import type { EventData, EventEnvelope, EventType } from '../events/catalogue';
import { ensureDatabase, openDatabase, runMigrations, type Database } from '../db/database';
import { signSessionToken, type UserPayload } from '../http/current-user';
import { localNatsCredentials, localRedisCredentials, redisUrlWith } from '../local-secrets';
import { ServiceMetrics } from '../metrics';
import type { BaseAppDeps } from '../service';

export * from './otlp-receiver';
export * from './socket-writes';
export * from './counting-statements';

/** Random per test process: tests sign and verify in one process, and no signing key is ever committed. */
export const TEST_JWT_KEY = randomBytes(32).toString('hex');
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://microtick:microtick@127.0.0.1:5432';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/**
 * Test harnesses use the admin identity infra/setup.sh generated (they create and delete
 * streams); undefined while the servers run without authentication.
 */
export const NATS_ADMIN = localNatsCredentials('admin');
/** The Redis the tests use, as its admin user when setup.sh has configured ACL users. */
export const REDIS_URL = redisUrlWith(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', localRedisCredentials('admin'));

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const workerId = () => process.env.JEST_WORKER_ID ?? '0';
/** Set per jest run by jest.global-setup.js, so two runs on one Postgres never share a database. */
const testRun = () => process.env.MT_TEST_RUN ?? `${Date.now().toString(36)}0000`;

export interface TestDatabase<TSchema extends Record<string, unknown>> extends Database<TSchema> {
  url: string;
  /** Empties every table of the service (not the migrations' bookkeeping). */
  truncate(): Promise<void>;
}

/** A migrated database `mt_test_<run>_<name>_<worker>` for this jest run and worker (dropped after the run). */
export async function createTestDatabase<TSchema extends Record<string, unknown>>(options: {
  name: string;
  migrationsFolder: string;
  schema?: TSchema;
}): Promise<TestDatabase<TSchema>> {
  const url = `${PG_URL}/mt_test_${testRun()}_${options.name.replace(/\W/g, '_')}_${workerId()}`;
  await ensureDatabase(url);
  const database = openDatabase({ url, schema: options.schema, poolSize: 20 });
  await runMigrations(database.pool, options.migrationsFolder);
  return {
    ...database,
    url,
    truncate: async () => {
      const { rows } = await database.pool.query<{ tablename: string }>(
        `select tablename from pg_tables where schemaname = 'public' and tablename not like '\\_\\_%'`,
      );
      if (rows.length) await database.pool.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')} restart identity`);
    },
  };
}

/**
 * A copy of a migrations folder that stops after `lastTag` (its journal cut there), to build a
 * database as an older release left it and check what the next migrations do to its rows.
 */
export function migrationsUpTo(migrationsFolder: string, lastTag: string): string {
  const journalPath = path.join(migrationsFolder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((entry) => entry.tag === lastTag);
  if (last < 0) throw new Error(`no migration ${lastTag} in ${migrationsFolder}`);
  const copy = mkdtempSync(path.join(tmpdir(), 'mt-migrations-'));
  cpSync(migrationsFolder, copy, { recursive: true });
  writeFileSync(path.join(copy, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return copy;
}

export interface TestEventBus extends EventBus {
  /** Deletes the stream (and its consumers) and closes the connection. */
  destroy(): Promise<void>;
}

/** A connection to the real NATS with a stream and subject prefix of its own. */
export async function createTestEventBus(name = 'bus'): Promise<TestEventBus> {
  const unique = `${name.replace(/\W/g, '_')}_${workerId()}_${randomUUID().slice(0, 8)}`;
  const bus = await connectEventBus({
    url: NATS_URL,
    stream: `TEST_${unique}`,
    subjectPrefix: `test_${unique}`,
    name: `test-${unique}`,
    logger: silentLogger,
    credentials: NATS_ADMIN,
  });
  return {
    ...bus,
    destroy: async () => {
      await bus.jsm.streams.delete(bus.stream).catch(() => undefined);
      await bus.close();
    },
  };
}

/** What a service's `buildApp` needs from common, for tests. */
export const testAppDeps = (): BaseAppDeps => ({
  logger: silentLogger,
  metrics: new ServiceMetrics('test'),
  jwtKey: TEST_JWT_KEY,
});

/** A `Cookie` header value for a signed-in user, as the auth service would set it. */
export function sessionCookie(user: Partial<UserPayload> = {}, options: { jwtKey?: string; expiresInSeconds?: number } = {}): string {
  const payload = { id: user.id ?? randomUUID(), email: user.email ?? `user-${randomUUID().slice(0, 8)}@example.com` };
  const token = signSessionToken(payload, options.jwtKey ?? TEST_JWT_KEY, options.expiresInSeconds ?? 3600);
  return `session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;
}

/** Polls until `probe` returns something truthy (or passes without throwing), then returns it. */
export async function waitFor<T>(probe: () => Promise<T> | T, { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(intervalMs);
  }
}

export type AnyDb = NodePgDatabase<Record<string, unknown>>;

/** Events a route staged in the outbox (in order), to assert they were written with the change. */
export async function outboxEvents(db: { execute: AnyDb['execute'] }): Promise<EventEnvelope[]> {
  const { rows } = await db.execute<{ payload: EventEnvelope }>(sql`select payload from outbox order by seq`);
  return rows.map((row) => row.payload);
}

export interface ListenerHarness {
  bus: TestEventBus;
  /** Publishes an event as its real publisher would; returns the envelope (publish it again to simulate a duplicate). */
  publish<T extends EventType>(type: T, data: EventData<T>): Promise<EventEnvelope<T>>;
  /** Publishes an existing envelope again under a new message id (JetStream de-dup does not catch it). */
  redeliver(envelope: EventEnvelope): Promise<void>;
  /**
   * Resolves once this service's consumers (of `types`, default all of its listeners) have handled
   * everything published so far: applied, found a duplicate, or dead-lettered. An event held back
   * for a retry (RetryLater) is not handled yet, so this waits for it too.
   */
  settled(...types: EventType[]): Promise<void>;
  /** Resolves once a `type` event has been handed back at least once and still waits: "not yet". */
  heldBack(type: EventType): Promise<void>;
  stop(): Promise<void>;
}

/** Runs a service's listeners through the real ListenerRunner on a private stream. */
export async function startListenerHarness<Ctx = HandlerContext, TSchema extends Record<string, unknown> = Record<string, unknown>>(options: {
  service: string;
  listeners: readonly AnyListener<Ctx>[];
  /** Where the runner keeps processed events and dead letters: the service's Postgres by default. */
  db?: NodePgDatabase<TSchema>;
  store?: ListenerStore<Ctx>;
  /** How long `settled` and `heldBack` wait before failing the test. */
  timeoutMs?: number;
}): Promise<ListenerHarness> {
  // A Postgres service's listeners take the HandlerContext that PostgresListenerStore gives.
  const store = options.store ?? (options.db && (new PostgresListenerStore(options.db) as unknown as ListenerStore<Ctx>));
  if (!store) throw new Error('startListenerHarness: give the service database (db) or a listener store');
  const bus = await createTestEventBus(options.service);
  const runner = new ListenerRunner({ service: options.service, bus, store, listeners: options.listeners, logger: silentLogger });
  await runner.start();
  const redeliver = async (envelope: EventEnvelope) => {
    await bus.js.publish(bus.subjectFor(envelope.type), JSON.stringify(envelope), { msgID: randomUUID() });
  };
  const consumerInfo = (type: EventType) => bus.jsm.consumers.info(bus.stream, durableName(options.service, type));
  const timeoutMs = options.timeoutMs ?? 20_000;
  return {
    bus,
    publish: async (type, data) => {
      const envelope = { id: randomUUID(), type, occurredAt: new Date().toISOString(), data };
      await redeliver(envelope);
      return envelope;
    },
    redeliver,
    settled: async (...types) => {
      const awaited = types.length ? types : [...new Set(options.listeners.map((listener) => listener.event))];
      await waitFor(
        async () => {
          for (const type of awaited) {
            const info = await consumerInfo(type);
            if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
          }
          return true;
        },
        { what: `${options.service} consumers settled (${awaited.join(', ')})`, timeoutMs },
      );
    },
    heldBack: async (type) => {
      await waitFor(
        async () => {
          const info = await consumerInfo(type);
          return info.num_redelivered > 0 && info.num_ack_pending > 0;
        },
        { what: `a ${type} held back for a retry`, timeoutMs },
      );
    },
    stop: async () => {
      await runner.stop();
      await bus.destroy();
    },
  };
}

/**
 * Runs `assertion` (jest `expect`s, or anything that throws) until it passes, for results that
 * arrive asynchronously; after `timeoutMs` fails with the assertion's own last error, so the test
 * output shows what was still wrong rather than "timed out".
 */
export async function retrying<T>(assertion: () => Promise<T> | T, { timeoutMs = 10_000, intervalMs = 25 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await sleep(intervalMs);
  }
}

/**
 * A service's per-worker test database for a whole test file: migrated once (beforeAll), emptied
 * before each test, closed after the file. Named `mt_test_<run>_<name>_<worker>` like every test
 * database, so parallel workers and parallel jest runs never share one. Call at the top of a test
 * file (or from the service's test-support); the getter is valid inside tests and hooks.
 */
export function useServiceDatabase<TSchema extends Record<string, unknown>>(options: {
  name: string;
  migrationsFolder: string;
  schema: TSchema;
}): () => TestDatabase<TSchema> {
  let database: TestDatabase<TSchema> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(options);
  });
  afterAll(() => database?.close());
  beforeEach(() => database?.truncate());
  return () => {
    if (!database) throw new Error(`the ${options.name} test database is only open inside tests`);
    return database;
  };
}

/**
 * The service's listeners on a private stream, started before each test (after the database is
 * emptied) and stopped after it. Call after `useServiceDatabase`, whose getter it takes.
 */
export function useListenerHarness<TSchema extends Record<string, unknown>>(options: {
  service: string;
  database: () => TestDatabase<TSchema>;
  listeners: readonly AnyListener[];
}): () => ListenerHarness {
  let harness: ListenerHarness | undefined;
  beforeEach(async () => {
    harness = await startListenerHarness({ service: options.service, db: options.database().db, listeners: options.listeners });
  });
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });
  return () => {
    if (!harness) throw new Error(`the ${options.service} listeners only run inside tests`);
    return harness;
  };
}
export { StallableProxy } from './stallable-proxy';
export { describedApiRoutes, mountedApiRoutes } from './mounted-routes';

/**
 * An Ed25519 key pair for ticket codes, made once per test process: orders signs with the
 * private key, tickets verifies with the public one (production keys come from config).
 */
export const TEST_TICKET_CODE_KEYS = generateKeyPairSync('ed25519');
