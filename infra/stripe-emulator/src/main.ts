/** CLI: `node dist/main.js` with PORT, HOST and STRIPE_EMULATOR_LATENCY_MS from the environment. */
import { loadConfig } from './config';
import { startStripeEmulator } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const emulator = await startStripeEmulator(config);
  console.log(`stripe-emulator listening on ${emulator.url} (latency ${config.latencyMs} ms)`);

  const stop = (signal: NodeJS.Signals) => {
    console.log(`stripe-emulator received ${signal}, closing`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stripe-emulator failed to close', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('stripe-emulator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
