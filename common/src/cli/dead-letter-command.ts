import { parseArgs } from 'node:util';
import type { DeadLetter } from '../bus/dead-letters';
import { openDeadLetters, type DeadLetterLocation } from '../bus/open-dead-letters';
import { localRedisCredentials } from '../local-secrets';

/** Where each service parks its dead letters: its Postgres database, or Redis (expiration has no database). */
const STORE_OF = { auth: 'postgres', tickets: 'postgres', orders: 'postgres', payments: 'postgres', expiration: 'redis' } as const;
type ServiceName = keyof typeof STORE_OF;
const isServiceName = (name: string | undefined): name is ServiceName => name !== undefined && Object.hasOwn(STORE_OF, name);

export const DEAD_LETTERS_USAGE = `usage: npm run dead-letters -- list --service NAME [--all]
       npm run dead-letters -- replay --service NAME <id>
NAME: ${Object.keys(STORE_OF).join(', ')}. The store is found from the service's own settings:
  auth, tickets, orders, payments: DATABASE_URL (default: npm start's postgres://…/microtick_<NAME>)
  expiration: REDIS_URL, REDIS_KEY_PREFIX, REDIS_USERNAME, REDIS_PASSWORD (defaults: npm start's)`;

/**
 * The service's dead-letter store from the same variables the service reads, so the tool runs
 * beside the service (e.g. `kubectl exec` into its pod) with nothing to add; on a development
 * machine the defaults are `npm start`'s.
 */
export function deadLetterLocation(service: ServiceName, env: NodeJS.ProcessEnv): DeadLetterLocation {
  if (STORE_OF[service] === 'postgres') {
    return { service, databaseUrl: env.DATABASE_URL || `postgres://microtick:microtick@127.0.0.1:5432/microtick_${service}` };
  }
  const local = env.REDIS_PASSWORD ? undefined : localRedisCredentials('expiration', env);
  return {
    service,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    keyPrefix: env.REDIS_KEY_PREFIX || 'microtick',
    redisUsername: env.REDIS_USERNAME || local?.user,
    redisPassword: env.REDIS_PASSWORD || local?.password,
  };
}

const describe = (l: DeadLetter) =>
  `${l.id}  ${l.failedAt.toISOString()}  ${l.consumer}  ${l.eventType}  event=${l.eventId ?? '-'}  deliveries=${l.deliveries}` +
  `${l.replayedAt ? `  replayed=${l.replayedAt.toISOString()}` : l.replayRequestedAt ? '  replay requested' : ''}\n    ${l.error}`;

/**
 * `list|replay --service NAME [id]` on any service's dead letters. Replaying marks the letter;
 * the running service re-runs the stored event through its listener in its own process within
 * seconds (nothing is published, so no publish rights are needed). Returns the exit code.
 */
export async function runDeadLetterCommand(argv: readonly string[], env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { service: { type: 'string' }, all: { type: 'boolean', default: false } } });
  } catch (err) {
    print(`${err instanceof Error ? err.message : String(err)}\n${DEAD_LETTERS_USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, id, ...rest] = positionals;
  const service = values.service;
  const valid = isServiceName(service) && rest.length === 0 && ((command === 'list' && !id) || (command === 'replay' && !!id));
  if (!valid) {
    print(service !== undefined && !isServiceName(service) ? `unknown service "${service}"\n${DEAD_LETTERS_USAGE}` : DEAD_LETTERS_USAGE);
    return 2;
  }
  const store = await openDeadLetters(deadLetterLocation(service, env));
  try {
    if (command === 'list') {
      const letters = await store.list({ includeReplayed: values.all });
      if (letters.length === 0) print(`no dead letters in ${service}`);
      for (const letter of letters) print(describe(letter));
    } else {
      await store.requestReplay(id!);
      print(`replay of ${id} requested; the running ${service} service applies it within seconds (list --all shows it replayed)`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
