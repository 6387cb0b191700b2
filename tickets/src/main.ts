import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  await startService({
    name: 'tickets',
    config,
    database: { schema, migrationsFolder },
    listeners,
    buildApp: (deps) => buildApp({ ...deps, ticketCodePublicKey: config.TICKET_CODE_PUBLIC_KEY }),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
