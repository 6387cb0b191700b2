#!/usr/bin/env node
/**
 * Operator tool for a service's dead letters:
 *   DATABASE_URL=postgres://…/microtick_orders npm run dead-letters -- list [--all]
 *   DATABASE_URL=postgres://…/microtick_orders npm run dead-letters -- replay <id>
 * Replaying puts the event back on the bus through the service's outbox; the running service's
 * relay publishes it within milliseconds.
 */
import { parseArgs } from 'node:util';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { listDeadLetters, replayDeadLetter } from '../bus/dead-letters';
import { openDatabase } from '../db/database';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { all: { type: 'boolean', default: false } } });
  const [command, id] = positionals;
  const url = process.env.DATABASE_URL;
  if (!url || (command !== 'list' && command !== 'replay') || (command === 'replay' && !id)) {
    console.error('usage: DATABASE_URL=postgres://… dead-letters list [--all] | replay <id>');
    return 2;
  }
  const database = openDatabase({ url, poolSize: 1 });
  const db = database.db as NodePgDatabase<Record<string, unknown>>;
  try {
    if (command === 'list') {
      const letters = await listDeadLetters(db, { includeReplayed: values.all });
      if (letters.length === 0) console.log('no dead letters');
      for (const l of letters) {
        console.log(`${l.id}  ${l.failedAt.toISOString()}  ${l.consumer}  ${l.eventType}  event=${l.eventId ?? '-'}  deliveries=${l.deliveries}${l.replayedAt ? `  replayed=${l.replayedAt.toISOString()}` : ''}\n    ${l.error}`);
      }
    } else {
      await replayDeadLetter(db, id!);
      console.log(`replayed ${id}`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
