#!/usr/bin/env node
/**
 * Operator tool for every service's dead letters (Postgres or, for expiration, Redis):
 *   npm run dead-letters -- list --service orders [--all]
 *   npm run dead-letters -- replay --service orders <id>
 * See runDeadLetterCommand and docs/operations.md.
 */
import { runDeadLetterCommand } from './dead-letter-command';

runDeadLetterCommand(process.argv.slice(2), process.env, (line) => console.log(line)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
