/**
 * `npm start` (after infra/local/start.sh has prepared the servers, installed and compiled):
 * builds the client when needed, starts the whole system on the default ports, prints one
 * "ready" line and stays in the foreground. Ctrl-C (or SIGTERM) stops everything it started;
 * a second Ctrl-C kills at once. A crashed child is restarted with backoff.
 */
import path from 'node:path';
import { isEd25519Key, loadConfig, localSecretsDir, readLocalSecret } from '@microtick/common';
import { z } from 'zod';
import { buildClient, clientBuildIsStale } from './client-build';
import { AlreadyRunningError, InstanceLock, removeLeftoverSocketDir, stopLeftovers } from './instance-lock';
import { formatLogLine } from './log-format';
import { parseReplicas } from './replicas-env';
import { DEFAULT_INFRA, REPO_ROOT, SOCKET_DIR_PREFIX, startStack, type Stack } from './stack';
import { DEFAULT_PORTS } from './stack-plan';
import { installationTicketCodeKeys } from './ticket-code-keys';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const runnerConfigSchema = z.object({
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORTS.gateway),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  EXPIRATION_WINDOW_SECONDS: optional(z.coerce.number().int().min(1)),
  STRIPE_SECRET_KEY: optional(z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_…)')),
  JWT_KEY: optional(z.string().min(32, 'must be at least 32 characters')),
  /** Both or neither; unset: this installation's pair in .local/ticket-code-keys.json (made on first start). */
  TICKET_CODE_PRIVATE_KEY: optional(z.string().refine((key) => isEd25519Key(key, 'private'), 'must be an Ed25519 private key')),
  TICKET_CODE_PUBLIC_KEY: optional(z.string().refine((key) => isEd25519Key(key, 'public'), 'must be an Ed25519 public key')),
  REPLICAS: z.string().default('').transform((text, ctx) => {
    try {
      return parseReplicas(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 0: the gateway reaches the services on their ports instead of unix sockets (docs: infra/local/README.md). */
  GATEWAY_UNIX_SOCKETS: z.enum(['0', '1']).default('1'),
  /** 0: API only, no web client (and no `next build`). */
  WITH_CLIENT: z.enum(['0', '1']).default('1'),
  /** Set by start.sh: when `npm start` began, to report the whole start-up time. */
  MICROTICK_STARTED_AT: optional(z.coerce.number().int()),
});

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const say = (message: string) => process.stdout.write(`${formatLogLine('local', message, { labelWidth: 0, color })}\n`);

async function main(): Promise<number> {
  const config = loadConfig(runnerConfigSchema);
  if (Boolean(config.TICKET_CODE_PRIVATE_KEY) !== Boolean(config.TICKET_CODE_PUBLIC_KEY)) {
    throw new Error('set both TICKET_CODE_PRIVATE_KEY and TICKET_CODE_PUBLIC_KEY (one Ed25519 pair), or neither');
  }
  const url = `http://${config.GATEWAY_HOST === '0.0.0.0' ? '127.0.0.1' : config.GATEWAY_HOST}:${config.GATEWAY_PORT}`;
  const lock = new InstanceLock(path.join(REPO_ROOT, '.local/npm-start.json'));
  const { leftovers, leftoverSocketDir } = lock.acquire(url);
  if (leftovers.length) {
    say(`a previous run was killed without stopping its processes; stopping them: ${leftovers.map((p) => `${p.label} (pid ${p.pid})`).join(', ')}`);
    await stopLeftovers(leftovers);
  }
  if (leftoverSocketDir) removeLeftoverSocketDir(leftoverSocketDir, SOCKET_DIR_PREFIX);

  const interrupted = new AbortController();
  let stack: Stack | undefined;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // Under `npm start` one Ctrl-C arrives twice (from the terminal, and forwarded by npm):
    // only a repeat a moment later means "kill now".
    if (firstSignalAt && Date.now() - firstSignalAt < 1_000) return;
    if (firstSignalAt) {
      say(`${signal} again: killing everything now`);
      stack?.forceKill();
      lock.release();
      process.exit(130);
    }
    firstSignalAt = Date.now();
    say(`${signal}: stopping MicroTick (${signal === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to kill at once)…`);
    interrupted.abort();
    if (stack) void stack.stop().finally(() => finish(0));
  };
  const finish = (code: number) => {
    lock.release();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  try {
    // The installation's own random key (infra/setup.sh made it once, outside the repository):
    // no key in git, so nobody can forge a session for someone else's `npm start`.
    const jwtKey = config.JWT_KEY ?? readLocalSecret('jwt-key');
    if (!jwtKey) throw new Error(`no JWT key: set JWT_KEY, or run \`bash infra/setup.sh\` to generate ${localSecretsDir()}/jwt-key`);
    say(config.STRIPE_SECRET_KEY ? 'STRIPE_SECRET_KEY is set: payments go to real Stripe (no emulator).' : 'STRIPE_SECRET_KEY is unset: payments use the bundled Stripe emulator.');
    const withClient = config.WITH_CLIENT === '1';
    const clientDir = path.join(REPO_ROOT, 'client');
    if (withClient && clientBuildIsStale(clientDir)) {
      say('building the web client (next build)…');
      const onLine = (line: string) => process.stdout.write(`${formatLogLine('client-build', line, { labelWidth: 0, color })}\n`);
      await buildClient(clientDir, onLine, interrupted.signal);
    }
    stack = await startStack({
      basePort: DEFAULT_PORTS.client,
      stripeEmulatorPort: DEFAULT_PORTS['stripe-emulator'],
      gatewayPort: config.GATEWAY_PORT,
      gatewayHost: config.GATEWAY_HOST,
      unixSockets: config.GATEWAY_UNIX_SOCKETS === '1',
      expirationWindowSeconds: config.EXPIRATION_WINDOW_SECONDS,
      stripeSecretKey: config.STRIPE_SECRET_KEY,
      jwtKey,
      ticketCodeKeys:
        config.TICKET_CODE_PRIVATE_KEY && config.TICKET_CODE_PUBLIC_KEY
          ? { privateKey: config.TICKET_CODE_PRIVATE_KEY, publicKey: config.TICKET_CODE_PUBLIC_KEY }
          : installationTicketCodeKeys(path.join(REPO_ROOT, '.local/ticket-code-keys.json')),
      replicas: config.REPLICAS,
      withClient,
      logLevel: config.LOG_LEVEL,
      infra: DEFAULT_INFRA,
      color,
      signal: interrupted.signal,
      onSocketDir: (dir) => lock.recordSocketDir(dir),
      onPidsChanged: (processes) => lock.update(processes),
    });
  } catch (err) {
    lock.release();
    if (!interrupted.signal.aborted) throw err;
    say('stopped');
    return 130;
  }
  if (interrupted.signal.aborted) {
    // The signal came just as start-up finished, before the handler could see the stack.
    await stack.stop();
    lock.release();
    say('stopped');
    return 130;
  }

  const total = config.MICROTICK_STARTED_AT ? `, ${((Date.now() - config.MICROTICK_STARTED_AT) / 1000).toFixed(1)} s since npm start` : '';
  process.stdout.write(`\nMicroTick is ready at ${stack.url}\n\n`);
  say(`(processes ready in ${(stack.readyAfterMs / 1000).toFixed(1)} s${total}; Ctrl-C stops everything; crashed processes are restarted)`);
  return finishLater();
}

/** The process lives on until a signal handler exits it. */
const finishLater = (): Promise<number> => new Promise<number>(() => undefined);

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof AlreadyRunningError) {
      console.error(err.message);
    } else {
      console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    process.exit(1);
  },
);
