import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';
import { OrderChangeFeed } from './orders/order-changes';

const config = loadConfig(configSchema);
const orderChanges = new OrderChangeFeed();

void startService({
  name: 'orders',
  config,
  schema,
  migrationsFolder,
  listeners,
  // The LISTEN connection behind GET /api/orders/:id/events; stopped after the HTTP server.
  background: ({ pool, logger }) => {
    const started = orderChanges.start(pool, logger);
    return async () => {
      await started;
      await orderChanges.stop();
    };
  },
  buildApp: (deps) => buildApp({ ...deps, expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS, ticketCodeKey: config.TICKET_CODE_PRIVATE_KEY, orderChanges }),
});
