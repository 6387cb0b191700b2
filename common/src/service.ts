import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import type { Express } from 'express';
import { natsCredentialsOf, type ServiceConfig } from './config';
import { ensureDatabase, openDatabase, runMigrations, type Database } from './db/database';
import { startRetention } from './db/retention';
import { connectEventBus } from './bus/event-bus';
import type { AnyListener } from './bus/listener';
import type { EventType } from './events/catalogue';
import { ListenerRunner } from './bus/listener-runner';
import { OutboxRelay } from './bus/outbox-relay';
import { PostgresListenerStore } from './bus/postgres-listener-store';
import type { ServiceAppOptions } from './http/create-service-app';
import { closeServer, listen } from './http/listen';
import { Lifecycle } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { ServiceMetrics } from './metrics';
import { setUpServiceTracing } from './tracing/service-tracing';

/** What `createServiceApp` needs besides the routes; a service's `buildApp` adds its own deps. */
export type BaseAppDeps = Omit<ServiceAppOptions, 'routes'>;

export interface ServiceDefinition<TSchema extends Record<string, unknown>> {
  name: string;
  config: ServiceConfig;
  schema: TSchema;
  migrationsFolder: string;
  listeners: readonly AnyListener[];
  buildApp(deps: BaseAppDeps & { db: NodePgDatabase<TSchema> }): Express;
  /**
   * Periodic work beside requests and events (e.g. payments settling lapsed attempts). Started
   * after the listeners; the function it returns is awaited on shutdown before the relay stops.
   */
  background?(deps: BackgroundDeps<TSchema>): () => Promise<void>;
}

export interface BackgroundDeps<TSchema extends Record<string, unknown>> {
  db: NodePgDatabase<TSchema>;
  pool: Database<TSchema>['pool'];
  logger: Logger;
  metrics: ServiceMetrics;
  /** True once this service has applied every `event` published so far (see ListenerRunner.caughtUpWithStream). */
  caughtUpWith(event: EventType): Promise<boolean>;
}

export interface RunningService {
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Composes a Postgres-backed service, each step registering how to undo itself:
 * database (created if missing, migrated) → NATS → outbox relay → listeners → HTTP.
 * SIGTERM/SIGINT stop them in reverse: stop accepting and finish requests, stop consumers
 * and wait for in-flight events, flush the relay, drain NATS, close the pool.
 */
export async function startService<TSchema extends Record<string, unknown>>(definition: ServiceDefinition<TSchema>): Promise<RunningService> {
  const { name, config } = definition;
  const logger = createLogger(name, config.LOG_LEVEL);
  const metrics = new ServiceMetrics(name);
  const lifecycle = new Lifecycle(logger);
  lifecycle.handleSignals();
  setUpServiceTracing(name, logger, lifecycle);

  await ensureDatabase(config.DATABASE_URL);
  const database = openDatabase({ url: config.DATABASE_URL, schema: definition.schema, poolSize: config.DATABASE_POOL_SIZE, applicationName: name });
  lifecycle.onStop('postgres', () => database.close());
  await runMigrations(database.pool, definition.migrationsFolder);
  metrics.readFromDatabase(database.pool);
  lifecycle.onStop('retention', startRetention({ pool: database.pool, logger, processedEventsDays: config.PROCESSED_EVENTS_RETENTION_DAYS }));

  const bus = await connectEventBus({
    url: config.NATS_URL,
    stream: config.NATS_STREAM,
    replicas: config.NATS_STREAM_REPLICAS,
    subjectPrefix: config.NATS_SUBJECT_PREFIX,
    maxAgeMs: config.NATS_STREAM_MAX_AGE_HOURS * 3600_000,
    maxBytes: config.NATS_STREAM_MAX_BYTES,
    name,
    logger,
    credentials: natsCredentialsOf(config),
  });
  lifecycle.onStop('nats', () => bus.close());

  const relay = new OutboxRelay({ pool: database.pool, bus, logger, metrics });
  await relay.start();
  lifecycle.onStop('outbox relay', () => relay.stop());

  const store = new PostgresListenerStore(database.db);
  const runner = new ListenerRunner({
    service: name,
    bus,
    store,
    listeners: definition.listeners,
    logger,
    metrics,
    maxDeliver: config.LISTENER_MAX_DELIVER,
    maxWaitMs: config.LISTENER_WAIT_WARN_SECONDS * 1000,
  });
  await runner.start();
  lifecycle.onStop('listeners', () => runner.stop());

  if (definition.background) {
    const deps = { db: database.db, pool: database.pool, logger, metrics, caughtUpWith: (event: EventType) => runner.caughtUpWithStream(event) };
    lifecycle.onStop('background work', definition.background(deps));
  }

  const app = definition.buildApp({
    db: database.db,
    logger,
    metrics,
    jwtKey: config.JWT_KEY,
    trustProxy: config.TRUST_PROXY,
    readiness: [
      { name: 'postgres', check: () => database.db.execute(sql`select 1`) },
      { name: 'nats', check: async () => { if (bus.nc.isClosed()) throw new Error('closed'); await bus.nc.flush(); } },
    ],
    isAcceptingTraffic: () => !lifecycle.isStopping,
  });
  const { server, port } = await listen(app, config.PORT, config.HOST);
  lifecycle.onStop('http', () => closeServer(server));
  logger.info({ port }, `${name} ready`);
  return { port, logger, stop: () => lifecycle.stop() };
}
