import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  await startService({
    name: 'auth',
    config,
    database: { schema, migrationsFolder },
    listeners: [], // auth publishes and consumes no events
    buildApp: (deps) =>
      buildApp({
        ...deps,
        session: { jwtKey: config.JWT_KEY, ttlSeconds: config.JWT_EXPIRES_IN_SECONDS },
        rateLimits: {
          signin: config.SIGNIN_RATE_LIMIT_PER_MINUTE,
          signinFailures: config.SIGNIN_FAILURES_PER_ACCOUNT_PER_MINUTE,
          signup: config.SIGNUP_RATE_LIMIT_PER_MINUTE,
        },
      }),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
