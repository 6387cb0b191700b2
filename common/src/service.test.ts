import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectEventBus, type EventBus } from './bus/event-bus';
import { defineListener } from './bus/listener';
import { createServiceApp } from './http/create-service-app';
import { startService, type DatabaseSettings, type ServiceSettings } from './service';
import { createTestDatabase, NATS_ADMIN, NATS_URL, silentLogger, waitFor, type TestDatabase } from './testing';

const migrationsFolder = path.join(__dirname, 'testing/fixture-migrations');
const database = { schema: {}, migrationsFolder };

let testDatabase: TestDatabase<Record<string, never>>;
let admin: EventBus;
let config: ServiceSettings & DatabaseSettings;
let name: string;
beforeAll(async () => {
  testDatabase = await createTestDatabase({ name: 'service_start', migrationsFolder });
});
afterAll(() => testDatabase.close());
beforeEach(async () => {
  const unique = `${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
  name = `svc-${unique}`;
  config = {
    LOG_LEVEL: 'silent',
    PORT: 0,
    HOST: '127.0.0.1',
    NATS_URL,
    NATS_USER: NATS_ADMIN?.user,
    NATS_PASSWORD: NATS_ADMIN?.password,
    NATS_STREAM: `TEST_service_${unique}`,
    NATS_STREAM_REPLICAS: 1,
    NATS_STREAM_MAX_AGE_HOURS: 24,
    NATS_STREAM_MAX_BYTES: -1,
    NATS_SUBJECT_PREFIX: `test_service_${unique}`,
    DATABASE_URL: testDatabase.url,
    DATABASE_POOL_SIZE: 2,
    PROCESSED_EVENTS_RETENTION_DAYS: 30,
  };
  admin = await connectEventBus({ url: NATS_URL, stream: config.NATS_STREAM, subjectPrefix: config.NATS_SUBJECT_PREFIX, maxBytes: -1, maxAgeMs: 24 * 3600_000, name: `${name}-admin`, logger: silentLogger, credentials: NATS_ADMIN });
});
afterEach(async () => {
  await admin.jsm.streams.delete(admin.stream).catch(() => undefined);
  await admin.close();
});

/** Postgres sessions the service under test holds (its pool names itself after the service). */
const openSessions = async () => {
  const { rows } = await testDatabase.pool.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where application_name = $1', [name]);
  return rows[0]!.n;
};
/** A closed pool's sessions leave pg_stat_activity a moment after the pool has ended. */
const allSessionsClosed = () => waitFor(async () => (await openSessions()) === 0, { timeoutMs: 5_000, what: 'the pool’s sessions to end' });
const consumers = async () => (await admin.jsm.consumers.list(admin.stream).next()).map((c) => c.name);

const ticketCreated = defineListener({ event: 'ticket:created', handle: async () => undefined });
const noRoutes = (deps: Parameters<typeof createServiceApp>[0] extends infer O ? Omit<O, 'routes'> : never) => createServiceApp({ ...deps, routes: () => undefined });

describe('startService', () => {
  it('starts database, NATS, resources, listeners, workers and HTTP with one readiness check, and stops them in reverse', async () => {
    const stopped: string[] = [];
    const service = await startService({
      name,
      config,
      database,
      handleSignals: false,
      resources: ({ onStop }) => {
        onStop('cache', () => stopped.push('cache'));
        return { readiness: [{ name: 'cache', check: async () => 'ok' }] };
      },
      listeners: [ticketCreated],
      background: ({ resources }) => {
        expect(resources.readiness).toHaveLength(1);
        return () => stopped.push('worker');
      },
      buildApp: noRoutes,
    });
    const ready = await fetch(`http://127.0.0.1:${service.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { name: string }[] }).checks.map((c) => c.name)).toEqual(['postgres', 'nats', 'cache']);
    expect(await consumers()).toEqual([`${name}-ticket-created`]);
    expect(await openSessions()).toBeGreaterThan(0);

    await service.stop();
    expect(stopped).toEqual(['worker', 'cache']);
    await allSessionsClosed();
    await expect(fetch(`http://127.0.0.1:${service.port}/healthz`)).rejects.toThrow();
  });

  it('also serves on HTTP_SOCKET when set, and removes the socket on stop', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mt-svc-'));
    const socketPath = path.join(dir, 'svc.sock');
    try {
      const service = await startService({ name, config: { ...config, HTTP_SOCKET: socketPath }, database, handleSignals: false, listeners: [], buildApp: noRoutes });
      const overSocket = await new Promise<number>((resolve, reject) => {
        httpRequest({ socketPath, path: '/healthz' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end();
      });
      expect(overSocket).toBe(200);
      expect((await fetch(`http://127.0.0.1:${service.port}/healthz`)).status).toBe(200);
      await service.stop();
      expect(existsSync(socketPath)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${service.port}/healthz`)).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('undoes what had started when a start step fails: the service’s own step', async () => {
    let bus: EventBus | undefined;
    const stopped: string[] = [];
    await expect(
      startService({
        name,
        config,
        database,
        handleSignals: false,
        resources: (deps) => {
          bus = deps.bus;
          deps.onStop('half-opened thing', () => stopped.push('half-opened thing'));
          throw new Error('cache unreachable');
        },
        listeners: [ticketCreated],
        buildApp: noRoutes,
      }),
    ).rejects.toThrow('cache unreachable');
    expect(stopped).toEqual(['half-opened thing']);
    expect(bus!.nc.isClosed()).toBe(true);
    await allSessionsClosed();
  });

  it('undoes what had started when the last step fails: HTTP cannot listen', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    let bus: EventBus | undefined;
    const stopped: string[] = [];
    try {
      await expect(
        startService({
          name,
          config: { ...config, PORT: port },
          database,
          handleSignals: false,
          listeners: [ticketCreated],
          background: (deps) => {
            bus = deps.bus;
            return () => stopped.push('worker');
          },
          buildApp: noRoutes,
        }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
    expect(stopped).toEqual(['worker']);
    expect(bus!.nc.isClosed()).toBe(true);
    await allSessionsClosed();
  });

  it('runs without a database on the listener store a service passes, and refuses listeners with nowhere to record them', async () => {
    let bus: EventBus | undefined;
    await expect(
      startService({
        name,
        config,
        handleSignals: false,
        resources: (deps) => {
          bus = deps.bus;
          return {};
        },
        listeners: [ticketCreated],
        buildApp: noRoutes,
      }),
    ).rejects.toThrow(/neither a database nor a listener store/);
    expect(bus!.nc.isClosed()).toBe(true);

    const service = await startService({ name, config, handleSignals: false, listeners: [], buildApp: noRoutes });
    const ready = await fetch(`http://127.0.0.1:${service.port}/readyz`);
    expect(((await ready.json()) as { checks: { name: string }[] }).checks.map((c) => c.name)).toEqual(['nats']);
    await service.stop();
  });
});
