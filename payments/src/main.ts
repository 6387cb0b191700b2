import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { startAttemptSweeper } from './payments/attempt-sweeper';
import { PaymentSettler } from './payments/payment-settler';
import { configSchema } from './config';
import { schema, migrationsFolder } from './db/schema';
import { listeners } from './events/listeners';
import { attemptLeaseMs, createStripeClient, webhookSecretOf } from './payments/stripe-client';

/** Lapsed attempts are settled within this long after their lease runs out. */
const SWEEP_INTERVAL_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const stripe = createStripeClient(config);
  const webhookSecret = webhookSecretOf(config);
  const leaseMs = attemptLeaseMs(config);
  await startService({
    name: 'payments',
    config,
    database: { schema, migrationsFolder },
    listeners,
    buildApp: (deps) => buildApp({ ...deps, stripe, attemptLeaseMs: leaseMs, webhookSecret }),
    background: async ({ db, pool, logger }) => {
      const stopSweeper = startAttemptSweeper({ db, stripe, attemptLeaseMs: leaseMs, logger }, logger, SWEEP_INTERVAL_MS);
      // Captures and voids as orders decides (order:completed / order:cancelled).
      const settler = new PaymentSettler({ db, stripe, logger, pool });
      try {
        await settler.start();
      } catch (err) {
        await stopSweeper();
        throw err;
      }
      return async () => {
        await settler.stop();
        await stopSweeper();
      };
    },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
