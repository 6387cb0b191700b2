import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';
import { startExpirySweep } from './orders/expiry-sweep';

const config = loadConfig(configSchema);

void startService({
  name: 'orders',
  config,
  schema,
  migrationsFolder,
  listeners,
  buildApp: (deps) => buildApp({ ...deps, expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS }),
  background: ({ db, logger, metrics, caughtUpWith }) =>
    startExpirySweep({
      db,
      logger,
      metrics,
      caughtUpWith,
      graceSeconds: config.EXPIRY_SWEEP_GRACE_SECONDS,
      intervalSeconds: config.EXPIRY_SWEEP_INTERVAL_SECONDS,
    }),
});
