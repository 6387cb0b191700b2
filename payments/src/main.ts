import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { schema, migrationsFolder } from './db/schema';
import { paymentListeners } from './events/listeners';
import { attemptLeaseMs, createStripeClient } from './stripe-client';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const stripe = createStripeClient(config);
  await startService({
    name: 'payments',
    config,
    schema,
    migrationsFolder,
    listeners: paymentListeners({ stripe }),
    buildApp: (deps) => buildApp({ ...deps, stripe, attemptLeaseMs: attemptLeaseMs(config) }),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
