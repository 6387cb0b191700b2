import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { startAttemptSweeper } from './charging/attempt-sweeper';
import { PaymentSettler } from './charging/payment-settler';
import { configSchema } from './config';
import { schema, migrationsFolder } from './db/schema';
import { paymentListeners } from './events/listeners';
import { attemptLeaseMs, createStripeClient, webhookSecretOf } from './stripe-client';

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
    listeners: paymentListeners,
    buildApp: (deps) => buildApp({ ...deps, stripe, attemptLeaseMs: leaseMs, webhookSecret }),
    background: ({ db, pool, logger }) => {
      const stopSweeper = startAttemptSweeper({ db, stripe, attemptLeaseMs: leaseMs, logger }, logger, SWEEP_INTERVAL_MS);
      // Captures and voids as orders decides (order:completed / order:cancelled).
      const settler = new PaymentSettler({ db, stripe, logger, pool });
      const started = settler.start().catch((err: unknown) => logger.error({ err }, 'payment settler failed to start'));
      return async () => {
        await started;
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
