import { loadConfig, openDatabase, startService } from '@microtick/common';
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
  const service = await startService({
    name: 'payments',
    config,
    schema,
    migrationsFolder,
    listeners: paymentListeners({ stripe }),
    buildApp: (deps) => buildApp({ ...deps, stripe, attemptLeaseMs: leaseMs }),
  });
  // startService has no hook for background work, so the sweeper keeps a small pool of its own;
  // a sweep cut short by shutdown leaves its attempt pending, and the next sweep settles it.
  const sweeperDatabase = openDatabase({ url: config.DATABASE_URL, schema, poolSize: 2, applicationName: 'payments-sweeper' });
  startAttemptSweeper({ db: sweeperDatabase.db, stripe, attemptLeaseMs: leaseMs }, service.logger, SWEEP_INTERVAL_MS);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
