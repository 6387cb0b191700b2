// First, before common's subpaths require zod: its locales load only if one is used (see the file).
import '@microtick/common/zod-locales-on-demand';
import { loadConfig } from '@microtick/common/config';
import { startService } from '@microtick/common/service';
import { buildApp } from './app';
import { configSchema } from './config';
import { listeners } from './events/listeners';
import { startExpirationResources, startTimerWorker } from './expiration/expiration-resources';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  await startService({
    name: 'expiration',
    config,
    // No database: Redis holds the timers and the listeners' bookkeeping.
    resources: (deps) => startExpirationResources(config, deps),
    listeners,
    background: ({ resources, ...deps }) => startTimerWorker(config, { ...deps, redis: resources.redis, fired: resources.fired }),
    buildApp,
  });
}

main().catch((err: unknown) => {
  // A service that cannot start (bad config, Redis or NATS unreachable) exits, so Kubernetes or
  // `npm start` restarts it instead of it limping on.
  console.error(err);
  process.exit(1);
});
