import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';
import { startOfferSweep } from './waitlist/offer-sweep';
import { OrderChangeFeed } from './orders/order-changes';

const config = loadConfig(configSchema);
const orderChanges = new OrderChangeFeed();

void startService({
  name: 'orders',
  config,
  schema,
  migrationsFolder,
  listeners,
  // The LISTEN connection behind GET /api/orders/:id/events (stopped after the HTTP server), and
  // the waiting list's backstop sweep of overdue offers (docs/waitlist.md).
  background: ({ db, pool, logger }) => {
    const started = orderChanges.start(pool, logger);
    const stopOfferSweep = startOfferSweep({ db, logger, intervalSeconds: config.OFFER_SWEEP_INTERVAL_SECONDS, graceSeconds: config.OFFER_SWEEP_GRACE_SECONDS });
    return async () => {
      await stopOfferSweep();
      await started;
      await orderChanges.stop();
    };
  },
  buildApp: (deps) =>
    buildApp({ ...deps, expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS, orderChanges, offerWindowSeconds: config.OFFER_WINDOW_SECONDS }),
});
