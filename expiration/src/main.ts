import { loadConfig } from '@microtick/common';
import { configSchema } from './config';
import { startExpirationService } from './service';

async function main(): Promise<void> {
  await startExpirationService(loadConfig(configSchema), { handleSignals: true });
}

main().catch((err: unknown) => {
  // A service that cannot start (bad config, Redis or NATS unreachable) exits, so Kubernetes or
  // `npm start` restarts it instead of it limping on.
  console.error(err);
  process.exit(1);
});
