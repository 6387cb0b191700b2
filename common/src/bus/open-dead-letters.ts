import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { openDatabase } from '../db/database';
import { postgresDeadLetters, type DeadLetterStore } from './dead-letters';
import { RedisDeadLetters } from './redis-dead-letters';

/** Where one service parks its dead letters: its database, or (expiration) Redis under its key prefix. */
export type DeadLetterLocation =
  | { service: string; databaseUrl: string }
  | { service: string; redisUrl: string; redisUsername?: string; redisPassword?: string; keyPrefix: string };

export interface OpenDeadLetterStore extends DeadLetterStore {
  close(): Promise<void>;
}

/** Opens a service's dead letters for reading and replay requests (the CLI, system tests). */
export async function openDeadLetters(location: DeadLetterLocation): Promise<OpenDeadLetterStore> {
  if ('databaseUrl' in location) {
    const database = openDatabase({ url: location.databaseUrl, poolSize: 1, applicationName: 'dead-letters' });
    return { ...postgresDeadLetters(database.db as NodePgDatabase<Record<string, unknown>>), close: () => database.close() };
  }
  // Loaded here only: the services that import common never need a Redis client.
  const { Redis } = await import('ioredis');
  const credentials = location.redisPassword ? { username: location.redisUsername, password: location.redisPassword } : {};
  const redis = new Redis(location.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'dead-letters', ...credentials });
  await redis.connect();
  const letters = new RedisDeadLetters(redis, { keyPrefix: location.keyPrefix, service: location.service });
  return {
    list: (options) => letters.list(options),
    requestReplay: (id) => letters.requestReplay(id),
    close: async () => {
      await redis.quit();
    },
  };
}
