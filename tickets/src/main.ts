import { loadConfig, startService } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';

async function main(): Promise<void> {
  await startService({ name: 'tickets', config: loadConfig(configSchema), schema, migrationsFolder, listeners, buildApp });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
