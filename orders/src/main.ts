import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';
import { startExpirySweep } from './orders/expiry-sweep';
import { startOfferSweep } from './waitlist/offer-sweep';
import { OrderChangeFeed } from './orders/order-changes';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const orderChanges = new OrderChangeFeed();
  await startService({
    name: 'orders',
    config,
    database: { schema, migrationsFolder },
    listeners,
    // The LISTEN connection behind GET /api/orders/:id/events (stopped after the HTTP server), and
    // the backstop that ends reservations whose expiration timer was lost (docs/operations.md), and
    // the waiting list's backstop that lapses offers whose expiration event was lost (docs/waitlist.md).
    background: ({ db, pool, logger, metrics, caughtUpWith }) => {
      const started = orderChanges.start(pool, logger);
      const stopSweep = startExpirySweep({
        db,
        logger,
        metrics,
        caughtUpWith,
        graceSeconds: config.EXPIRY_SWEEP_GRACE_SECONDS,
        intervalSeconds: config.EXPIRY_SWEEP_INTERVAL_SECONDS,
      });
      const stopOfferSweep = startOfferSweep({ db, logger, intervalSeconds: config.OFFER_SWEEP_INTERVAL_SECONDS, graceSeconds: config.OFFER_SWEEP_GRACE_SECONDS });
      return async () => {
        await stopOfferSweep();
        await stopSweep();
        await started;
        await orderChanges.stop();
      };
    },
    buildApp: (deps) =>
      buildApp({
        ...deps,
        expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
        ticketCodeKey: config.TICKET_CODE_PRIVATE_KEY,
        orderChanges,
        limits: { perMinute: config.ORDERS_RATE_LIMIT_PER_MINUTE, maxLiveOrders: config.MAX_LIVE_ORDERS_PER_USER },
        offerWindowSeconds: config.OFFER_WINDOW_SECONDS,
      }),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
