import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { RequestListener, Server } from 'node:http';
import type pg from 'pg';
import { eventBusSettings, type ServiceConfig } from './config';
import { connectEventBus, type EventBus } from './bus/event-bus';
import type { AnyListener, HandlerContext, ListenerStore } from './bus/listener';
import type { EventType } from './events/catalogue';
import { ListenerRunner } from './bus/listener-runner';
import type { ReadinessCheck, ServiceAppOptions } from './http/create-service-app';
import { closeServer, listen, listenOnSocket } from './http/listen';
import { Lifecycle } from './lifecycle';
import { createLogger, type Logger } from './logger';
import { ServiceMetrics } from './metrics';
import { setUpServiceTracing } from './tracing/service-tracing';

/** What `createServiceApp` needs besides the routes; a service's `buildApp` adds its own deps. */
export type BaseAppDeps = Omit<ServiceAppOptions, 'routes'>;

/** The settings `startService` reads. A service without a database (expiration) has no JWT key and no listener tuning of its own. */
export type ServiceSettings = Pick<
  ServiceConfig,
  | 'LOG_LEVEL'
  | 'PORT'
  | 'HOST'
  | 'NATS_URL'
  | 'NATS_STREAM'
  | 'NATS_STREAM_REPLICAS'
  | 'NATS_STREAM_MAX_AGE_HOURS'
  | 'NATS_STREAM_MAX_BYTES'
  | 'NATS_SUBJECT_PREFIX'
  | 'NATS_USER'
  | 'NATS_PASSWORD'
> &
  Partial<Pick<ServiceConfig, 'HTTP_SOCKET' | 'TRUST_PROXY' | 'JWT_KEY' | 'LISTENER_MAX_DELIVER' | 'LISTENER_WAIT_WARN_SECONDS'>>;

/** The settings a service with a database adds. */
export type DatabaseSettings = Pick<ServiceConfig, 'DATABASE_URL' | 'DATABASE_POOL_SIZE' | 'PROCESSED_EVENTS_RETENTION_DAYS'>;

/** A service's own Postgres database: created when missing and migrated (common's migrations first). */
export interface ServiceDatabase<TSchema extends Record<string, unknown>> {
  schema: TSchema;
  migrationsFolder: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyServiceDatabase = ServiceDatabase<any>;

/** `db` and `pool` when the service has a database; nothing otherwise. */
export type DatabaseDeps<D> = D extends ServiceDatabase<infer TSchema> ? { db: NodePgDatabase<TSchema>; pool: pg.Pool } : { db?: undefined; pool?: undefined };

type StopFn = () => Promise<unknown> | unknown;

export interface StartDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  bus: EventBus;
  /**
   * Registers how to undo a start step. Steps are undone in reverse order on shutdown, and at
   * once when a later step of the start-up fails.
   */
  onStop(step: string, stop: StopFn): void;
}

/** What a service's own start step hands to the rest of the start-up (and to its app and workers). */
export interface ServiceResources<Ctx> {
  /** Where the listeners record what they did; default: a PostgresListenerStore on the service's database. */
  listenerStore?: ListenerStore<Ctx>;
  /** Checks `GET /readyz` makes besides Postgres and NATS (expiration: Redis). */
  readiness?: ReadinessCheck[];
}

export interface BackgroundDeps extends StartDeps {
  /** True once this service has applied every `event` published so far (see ListenerRunner.caughtUpWithStream). */
  caughtUpWith(event: EventType): Promise<boolean>;
}

export interface ServiceDefinition<D extends AnyServiceDatabase | undefined, Ctx, R extends ServiceResources<Ctx>> {
  name: string;
  config: ServiceSettings & (D extends AnyServiceDatabase ? DatabaseSettings : unknown);
  /** Left out by a service whose only store is something else (expiration: Redis). */
  database?: D;
  /**
   * What the service runs besides Postgres and NATS, started before the listeners (expiration:
   * Redis, its queue and the listener store on it). Each part registers its stop with `onStop`.
   */
  resources?(deps: StartDeps & DatabaseDeps<D>): Promise<R> | R;
  listeners: readonly AnyListener<Ctx>[];
  /**
   * Workers beside requests and events (payments' settler and sweeper, orders' sweeps,
   * expiration's BullMQ worker), started after the listeners. The function it returns is awaited
   * on shutdown, after the HTTP server and before the listeners stop.
   */
  background?(deps: BackgroundDeps & DatabaseDeps<D> & { resources: R }): StopFn | Promise<StopFn>;
  /** The service's app (createServiceApp), or for a service without routes of its own (expiration) its probes (createProbeServer). */
  buildApp(deps: BaseAppDeps & Pick<DatabaseDeps<D>, 'db'> & { resources: R }): RequestListener;
  /** Stop on SIGTERM/SIGINT and exit (default true); tests that start a service in-process say false. */
  handleSignals?: boolean;
}

export interface RunningService {
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Composes a service, each step registering how to undo itself: database (if any: created if
 * missing, migrated, outbox relay) → NATS → the service's resources → listeners → background
 * workers → HTTP. SIGTERM/SIGINT undo them in reverse: stop accepting and finish requests, stop
 * the workers, stop consumers and wait for in-flight events, flush the relay, drain NATS, close
 * the pool. If any step fails, what the earlier steps started is undone before the error is
 * rethrown, so a failed start leaves no connection or timer behind.
 */
export async function startService<D extends AnyServiceDatabase | undefined = undefined, Ctx = HandlerContext, R extends ServiceResources<Ctx> = ServiceResources<Ctx>>(
  definition: ServiceDefinition<D, Ctx, R>,
): Promise<RunningService> {
  const { name, config } = definition;
  const logger = createLogger(name, config.LOG_LEVEL);
  const metrics = new ServiceMetrics(name);
  const lifecycle = new Lifecycle(logger);
  if (definition.handleSignals ?? true) lifecycle.handleSignals();
  setUpServiceTracing(name, logger, lifecycle);
  const onStop = (step: string, stop: StopFn) => lifecycle.onStop(step, stop);

  try {
    // Required here, not imported: a service without a database never loads drizzle or pg.
    const postgres = definition.database ? (require('./service-database') as typeof import('./service-database')) : undefined;
    const database = postgres && definition.database && (await postgres.openServiceDatabase(name, config as unknown as DatabaseSettings, definition.database, { logger, metrics, onStop }));
    const dbDeps = (database ? { db: database.db, pool: database.pool } : {}) as DatabaseDeps<D>;

    const bus = await connectEventBus({ ...eventBusSettings(config), name, logger });
    onStop('nats', () => bus.close());

    if (postgres && database) await postgres.startOutboxRelay(database, bus, { logger, metrics, onStop });

    const startDeps: StartDeps = { logger, metrics, bus, onStop };
    const resources = ((await definition.resources?.({ ...startDeps, ...dbDeps })) ?? {}) as R;

    const runner = definition.listeners.length > 0 ? startListeners() : undefined;
    function startListeners() {
      const store = resources.listenerStore ?? (postgres && database ? postgres.postgresListenerStore<Ctx>(database) : undefined);
      if (!store) throw new Error(`${name} has listeners but neither a database nor a listener store`);
      return new ListenerRunner({
        service: name,
        bus,
        store,
        listeners: definition.listeners,
        logger,
        metrics,
        maxDeliver: config.LISTENER_MAX_DELIVER,
        maxWaitMs: config.LISTENER_WAIT_WARN_SECONDS === undefined ? undefined : config.LISTENER_WAIT_WARN_SECONDS * 1000,
      });
    }
    if (runner) {
      onStop('listeners', () => runner.stop());
      await runner.start();
    }

    if (definition.background) {
      const caughtUpWith = (event: EventType) => (runner ? runner.caughtUpWithStream(event) : Promise.reject(new Error(`${name} consumes no events`)));
      const backgroundDeps: BackgroundDeps = { ...startDeps, caughtUpWith };
      onStop('background work', await definition.background({ ...backgroundDeps, ...dbDeps, resources }));
    }

    const readiness: ReadinessCheck[] = [
      ...(postgres && database ? [postgres.postgresReadiness(database)] : []),
      { name: 'nats', check: async () => { if (bus.nc.isClosed()) throw new Error('closed'); await bus.nc.flush(); } },
      ...(resources.readiness ?? []),
    ];
    const app = definition.buildApp({
      db: dbDeps.db,
      resources,
      logger,
      metrics,
      jwtKey: config.JWT_KEY,
      trustProxy: config.TRUST_PROXY,
      readiness,
      isAcceptingTraffic: () => !lifecycle.isStopping,
    });
    // The port and the socket (if any) stop accepting at once; each finishes its in-flight requests.
    const servers: Server[] = [];
    onStop('http', () => Promise.all(servers.map(closeServer)));
    // The socket first: once the port answers (the runner's readiness probe), the socket does too.
    if (config.HTTP_SOCKET) servers.push(await listenOnSocket(app, config.HTTP_SOCKET));
    const { server, port } = await listen(app, config.PORT, config.HOST);
    servers.push(server);
    logger.info({ port, socket: config.HTTP_SOCKET }, `${name} ready`);
    return { port, logger, stop: () => lifecycle.stop() };
  } catch (err) {
    logger.error({ err }, `${name} failed to start: stopping what had started`);
    await lifecycle.stop();
    throw err;
  }
}
