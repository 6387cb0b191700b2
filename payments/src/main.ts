import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { startAttemptSweeper } from './charging/attempt-sweeper';
import { configSchema } from './config';
import { schema, migrationsFolder } from './db/schema';
import { paymentListeners } from './events/listeners';
import { attemptLeaseMs, createStripeClient } from './stripe-client';

/** Lapsed attempts are settled within this long after their lease runs out. */
const SWEEP_INTERVAL_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const stripe = createStripeClient(config);
  const leaseMs = attemptLeaseMs(config);
  await startService({
    name: 'payments',
    config,
    schema,
    migrationsFolder,
    listeners: paymentListeners({ stripe }),
    buildApp: (deps) => buildApp({ ...deps, stripe, attemptLeaseMs: leaseMs }),
    background: ({ db, logger }) => startAttemptSweeper({ db, stripe, attemptLeaseMs: leaseMs }, logger, SWEEP_INTERVAL_MS),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
