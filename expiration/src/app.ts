import { createServiceApp, type BaseAppDeps, type EventBus } from '@microtick/common';
import type { Express } from 'express';
import type { Redis } from 'ioredis';

export interface ExpirationAppDeps extends Omit<BaseAppDeps, 'readiness' | 'jwtKey'> {
  redis: Pick<Redis, 'ping'>;
  bus: Pick<EventBus, 'nc'>;
}

/** Expiration serves no routes of its own: only health, readiness (NATS and Redis) and metrics. */
export function buildApp({ redis, bus, ...deps }: ExpirationAppDeps): Express {
  return createServiceApp({
    ...deps,
    readiness: [
      {
        name: 'nats',
        check: async () => {
          if (bus.nc.isClosed()) throw new Error('closed');
          await bus.nc.flush();
        },
      },
      { name: 'redis', check: () => redis.ping() },
    ],
    routes: () => undefined,
  });
}
