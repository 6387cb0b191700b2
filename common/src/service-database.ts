import './pg-without-fetch';
import { sql } from 'drizzle-orm';
import type { EventBus } from './bus/event-bus';
import type { ListenerStore } from './bus/listener';
import { OutboxRelay } from './bus/outbox-relay';
import { PostgresListenerStore } from './bus/postgres-listener-store';
import { ensureDatabase, openDatabase, runMigrations } from './db/database';
import { startRetention } from './db/retention';
import type { ReadinessCheck } from './http/create-service-app';
import type { DatabaseSettings, ServiceDatabase, StartDeps } from './service';

/**
 * The Postgres half of `startService`. startService requires this module only for a service
 * that has a database, so one without (expiration) never loads drizzle or pg: about 140 modules
 * and several MB of resident memory.
 */

/** Creates the database if missing, opens its pool, migrates it and starts the retention purge; each step registers its undo. */
export async function openServiceDatabase<TSchema extends Record<string, unknown>>(
  name: string,
  config: DatabaseSettings,
  definition: ServiceDatabase<TSchema>,
  { logger, metrics, onStop }: Pick<StartDeps, 'logger' | 'metrics' | 'onStop'>,
) {
  await ensureDatabase(config.DATABASE_URL);
  const database = openDatabase({ url: config.DATABASE_URL, schema: definition.schema, poolSize: config.DATABASE_POOL_SIZE, applicationName: name });
  onStop('postgres', () => database.close());
  await runMigrations(database.pool, definition.migrationsFolder);
  metrics.readFromDatabase(database.pool);
  onStop('retention', startRetention({ pool: database.pool, logger, processedEventsDays: config.PROCESSED_EVENTS_RETENTION_DAYS }));
  return database;
}

export type OpenedServiceDatabase = Awaited<ReturnType<typeof openServiceDatabase>>;

/** Publishes the outbox of `database` to `bus` until stopped. */
export async function startOutboxRelay(database: OpenedServiceDatabase, bus: EventBus, { logger, metrics, onStop }: Pick<StartDeps, 'logger' | 'metrics' | 'onStop'>): Promise<void> {
  const relay = new OutboxRelay({ pool: database.pool, bus, logger, metrics });
  onStop('outbox relay', () => relay.stop());
  await relay.start();
}

/** The listeners' bookkeeping in the service's own database. */
export const postgresListenerStore = <Ctx>(database: OpenedServiceDatabase): ListenerStore<Ctx> => new PostgresListenerStore(database.db) as unknown as ListenerStore<Ctx>;

export const postgresReadiness = (database: OpenedServiceDatabase): ReadinessCheck => ({ name: 'postgres', check: () => database.db.execute(sql`select 1`) });
