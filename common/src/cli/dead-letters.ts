#!/usr/bin/env node
/**
 * Operator tool for a service's dead letters:
 *   DATABASE_URL=postgres://…/microtick_orders npm run dead-letters -- list [--all]
 *   DATABASE_URL=postgres://…/microtick_orders npm run dead-letters -- replay <id>
 * Replaying marks the letter; the running service re-runs the stored event through its listener
 * in its own process within seconds (nothing is published, so no publish rights are needed).
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
        console.log(`${l.id}  ${l.failedAt.toISOString()}  ${l.consumer}  ${l.eventType}  event=${l.eventId ?? '-'}  deliveries=${l.deliveries}${l.replayedAt ? `  replayed=${l.replayedAt.toISOString()}` : l.replayRequestedAt ? '  replay requested' : ''}\n    ${l.error}`);
      }
    } else {
      await replayDeadLetter(db, id!);
      console.log(`replay of ${id} requested; the running service applies it within seconds (list --all shows it replayed)`);
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
