import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';
import { startOfferSweep } from './waitlist/offer-sweep';

const config = loadConfig(configSchema);

void startService({
  name: 'orders',
  config,
  schema,
  migrationsFolder,
  listeners,
  buildApp: (deps) => buildApp({ ...deps, expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS, offerWindowSeconds: config.OFFER_WINDOW_SECONDS }),
  background: ({ db, logger }) =>
    startOfferSweep({ db, logger, intervalSeconds: config.OFFER_SWEEP_INTERVAL_SECONDS, graceSeconds: config.OFFER_SWEEP_GRACE_SECONDS }),
});
