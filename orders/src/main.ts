import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';

const config = loadConfig(configSchema);

void startService({
  name: 'orders',
  config,
  schema,
  migrationsFolder,
  listeners,
  buildApp: (deps) =>
    buildApp({
      ...deps,
      expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
      limits: { perMinute: config.ORDERS_RATE_LIMIT_PER_MINUTE, maxLiveOrders: config.MAX_LIVE_ORDERS_PER_USER },
    }),
});
