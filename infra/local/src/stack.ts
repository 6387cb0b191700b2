import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_SOCKET_PATH_BYTES } from '@microtick/common/http/listen';
import { connectEventBus, createLogger, ensureDatabase, loadConfig, localNatsCredentials, localRedisCredentials, serviceConfigShape } from '@microtick/common';
import { z } from 'zod';
import { formatLogLine } from './log-format';
import { ManagedProcess, raceExit } from './managed-process';
import { generateTicketCodeKeys, type TicketCodeKeys } from './ticket-code-keys';
import { dropNamespaceData } from './namespace-data';
import { findFreePorts, isPortFree } from './ports';
import { waitUntilReady } from './readiness';
import {
  databaseUrl,
  DEFAULT_PORTS,
  localPostgresUrl,
  MAX_REPLICAS,
  namespaceNames,
  POSTGRES_SERVICES,
  planServiceReplica,
  planStack,
  REPLICA_PORT_STEP,
  SERVICES,
  socketPathOf,
  STOP_STAGES,
  type InfraUrls,
  type ProcessName,
  type ProcessSpec,
  type ServiceName,
  type StackPlanInput,
  type StackCredentials,
} from './stack-plan';

export const REPO_ROOT = path.resolve(__dirname, '../../..'); // same from src/ and dist/

/**
 * The servers infra/setup.sh runs (Postgres over its unix socket when it has one); NATS_URL,
 * REDIS_URL and TEST_DATABASE_URL point tests and scripts elsewhere (TEST_DATABASE_URL=
 * postgres://microtick:microtick@127.0.0.1:5432 keeps Postgres on TCP).
 */
export const DEFAULT_INFRA: InfraUrls = {
  postgres: process.env.TEST_DATABASE_URL || localPostgresUrl(existsSync),
  nats: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** Each service's NATS identity and expiration's Redis user, from infra/setup.sh's secrets (none: servers without auth). */
export const localStackCredentials = (): StackCredentials => ({
  nats: Object.fromEntries(SERVICES.flatMap((service) => {
    const credentials = localNatsCredentials(service);
    return credentials ? [[service, credentials]] : [];
  })),
  redis: localRedisCredentials('expiration'),
});

/**
 * Creates (or brings up to date) the namespace's stream as the admin identity: services may
 * not create or change streams (docs/security.md), so the runner provisions it before they start.
 */
export async function provisionStream(infra: InfraUrls, namespace: string, replicas?: number): Promise<void> {
  const names = namespaceNames(namespace);
  // The limits the services will check, from the same environment they inherit (defaults otherwise).
  const limits = loadConfig(z.object({ NATS_STREAM_MAX_AGE_HOURS: serviceConfigShape.NATS_STREAM_MAX_AGE_HOURS, NATS_STREAM_MAX_BYTES: serviceConfigShape.NATS_STREAM_MAX_BYTES }));
  const bus = await connectEventBus({
    url: infra.nats,
    stream: names.stream,
    subjectPrefix: names.subjectPrefix,
    replicas,
    maxAgeMs: limits.NATS_STREAM_MAX_AGE_HOURS * 3600_000,
    maxBytes: limits.NATS_STREAM_MAX_BYTES,
    name: 'microtick-local-provisioning',
    logger: createLogger('local', 'warn'),
    credentials: localNatsCredentials('admin'),
  });
  await bus.close();
}

export interface StackOptions {
  /** 0 (default): any free port. */
  gatewayPort?: number;
  /** 127.0.0.1 (default); 0.0.0.0 to reach it from other machines. */
  gatewayHost?: string;
  /**
   * The gateway reaches the services on unix sockets in a directory of this stack's own (made
   * 0700 under the system's temporary directory, removed on stop); their ports stay for
   * everything else. Default: true unless GATEWAY_UNIX_SOCKETS=0.
   */
  unixSockets?: boolean;
  /** Set: client at basePort, auth +1 … expiration +5, replica k at +10·k. Unset: every port is a free one. */
  basePort?: number;
  /** Default: basePort + 9, or a free port. */
  stripeEmulatorPort?: number;
  /** '' (default) = the default database, stream and key names; tests use one of their own. */
  namespace?: string;
  /** Passed to orders as EXPIRATION_WINDOW_SECONDS; unset = the service's default (900). */
  expirationWindowSeconds?: number;
  /** Passed to the services as NATS_STREAM_REPLICAS (3 with a three-node cluster in `infra.nats`). */
  natsStreamReplicas?: number;
  /** Replicas per service, e.g. `{ orders: 2, tickets: 2 }`; 1 for the others. */
  replicas?: Partial<Record<ServiceName, number>>;
  /** Start the Next.js client (needs its `next build` output). Default true. */
  withClient?: boolean;
  /** Set: real Stripe, no emulator. */
  stripeSecretKey?: string;
  /** Default: a random key for this stack. */
  jwtKey?: string;
  /** The Ed25519 pair orders signs ticket codes with and tickets checks them with. Default: a new pair for this stack. */
  ticketCodeKeys?: TicketCodeKeys;
  /** Extra settings per service (e.g. raised abuse limits for tests and benchmarks). */
  serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
  logLevel?: string;
  /** Added to every process's environment, e.g. OTEL_EXPORTER_OTLP_ENDPOINT (docs/tracing.md). */
  env?: NodeJS.ProcessEnv;
  /** Where the prefixed log lines go (default: stdout). */
  log?: (line: string) => void;
  /** Colour the prefixes (default: when stdout is a terminal and NO_COLOR is unset). */
  color?: boolean;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Drop the namespace's databases, stream and Redis keys on stop (tests). */
  ephemeral?: boolean;
  infra?: InfraUrls;
  repoRoot?: string;
  /** Aborting it during start-up stops what was started and rejects. */
  signal?: AbortSignal;
  /** Told the unix sockets' directory before anything starts (the CLI records it in its lock file, so the next run removes it if this one is SIGKILLed). */
  onSocketDir?: (dir: string) => void;
  /** Told whenever the set of running child pids changes (the CLI records them in its lock file). */
  onPidsChanged?: (processes: RunningProcessInfo[]) => void;
}

export interface RunningProcessInfo {
  label: string;
  pid: number;
  command: string;
}

export interface StackInstance {
  name: ProcessName;
  replica: number;
  label: string;
  port: number;
  url: string;
  /** The unix socket the gateway reaches it on (a service the gateway routes to, unless `unixSockets` is false). */
  socketPath?: string;
  /** Undefined while it is down (killed, or waiting to be restarted). */
  readonly pid: number | undefined;
}

export interface Stack {
  /** The gateway: the one origin for the browser and the API. */
  url: string;
  namespace: string;
  /** Every process by name, replicas in order. */
  services: Readonly<Partial<Record<ProcessName, readonly StackInstance[]>>>;
  /** How long start-up took, from spawning the first process to everything ready (services first, then client and gateway). */
  readyAfterMs: number;
  /** Stops everything gracefully (gateway first); drops the namespace's data when ephemeral. */
  stop(): Promise<void>;
  /** Simulates a crash (SIGKILL by default); it stays down until `restart`. */
  kill(name: ProcessName, replica?: number, signal?: NodeJS.Signals): Promise<void>;
  /** Stops (if running) and starts it again; resolves once it is ready. */
  restart(name: ProcessName, replica?: number): Promise<void>;
  /**
   * Starts one more replica of a service while the stack runs (what an autoscaler does); resolves
   * once it is ready. It shares the service's durable consumers at once; the gateway keeps the
   * upstreams it started with, so HTTP requests still go to the replicas that were there.
   */
  addReplica(service: ServiceName): Promise<StackInstance>;
  /** SIGKILL to everything at once, without waiting (a second Ctrl-C). */
  forceKill(): void;
}

/**
 * Starts a whole MicroTick — Stripe emulator, the five services (with replicas), the client and
 * the gateway — as child processes, waits until every one is ready, then supervises them:
 * a process that crashes is restarted with backoff. `npm start` and the system tests both
 * run through here; tests give each stack free ports and a namespace of its own.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const namespace = options.namespace ?? '';
  const infra = options.infra ?? DEFAULT_INFRA;
  const replicas = resolveReplicas(options.replicas ?? {});
  const withClient = options.withClient ?? true;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const notice = (message: string) => log(formatLogLine('local', message, { labelWidth: 0, color }));

  const portOf = await assignPorts(options, replicas);
  const socketDir = (options.unixSockets ?? process.env.GATEWAY_UNIX_SOCKETS !== '0') ? makeSocketDir(notice) : undefined;
  if (socketDir) options.onSocketDir?.(socketDir);
  const planInput: StackPlanInput = {
    repoRoot,
    namespace,
    portOf,
    replicas,
    withClient,
    infra,
    jwtKey: options.jwtKey ?? randomBytes(32).toString('hex'),
    ticketCodeKeys: options.ticketCodeKeys ?? generateTicketCodeKeys(),
    credentials: localStackCredentials(),
    serviceEnv: options.serviceEnv,
    logLevel: options.logLevel ?? 'info',
    expirationWindowSeconds: options.expirationWindowSeconds,
    natsStreamReplicas: options.natsStreamReplicas,
    stripeSecretKey: options.stripeSecretKey,
    gatewayHost: options.gatewayHost ?? '127.0.0.1',
    socketDir,
    nextBin: withClient ? require.resolve('next/dist/bin/next', { paths: [path.join(repoRoot, 'client')] }) : undefined,
    baseEnv: { ...process.env, ...options.env },
  };
  const removeSocketDir = () => {
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  };
  let specs: ProcessSpec[];
  try {
    specs = planStack(planInput);
    assertBuilt(specs, repoRoot);
    await assertPortsFree(specs);
    // Replicas starting together race to create their database, and common's ensureDatabase
    // tolerates only 42P04 while a concurrent CREATE DATABASE fails with 23505: create it first.
    for (const service of POSTGRES_SERVICES) {
      if (replicas[service] > 1) await ensureDatabase(databaseUrl(infra, namespaceNames(namespace).database(service)));
    }
    await provisionStream(infra, namespace, options.natsStreamReplicas);
  } catch (err) {
    // Nothing has started yet: only the socket directory to undo.
    removeSocketDir();
    throw err;
  }

  const labelWidth = Math.max(...specs.map((spec) => spec.label.length), 'local'.length);
  const reportPids = () => options.onPidsChanged?.(processes.flatMap((p) => (p.pid === undefined ? [] : [{ label: p.label, pid: p.pid, command: [p.spec.command, ...p.spec.args].join(' ') }])));
  const manage = (spec: ProcessSpec) =>
    new ManagedProcess(spec, {
      onLine: (line) => log(formatLogLine(spec.label, line, { labelWidth, color })),
      onNotice: (message) => {
        notice(message);
        reportPids();
      },
      stopTimeoutMs: options.stopTimeoutMs ?? 15_000,
    });
  const processes = specs.map(manage);
  const find = (name: ProcessName, replica = 0): ManagedProcess => {
    const found = processes.find((p) => p.spec.name === name && p.spec.replica === replica);
    if (!found) throw new Error(`no ${name} replica ${replica} in this stack`);
    return found;
  };
  const waitReady = async (managed: ManagedProcess) => {
    const abort = new AbortController();
    try {
      await raceExit(managed, waitUntilReady(managed.spec.ready, { timeoutMs: readyTimeoutMs, what: managed.label, signal: abort.signal }));
    } finally {
      abort.abort();
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const stage of STOP_STAGES) {
        await Promise.all(processes.filter((p) => stage.includes(p.spec.name)).map((p) => p.stop()));
      }
      reportPids();
      // The services removed their sockets on stopping; a killed one's is left: the directory goes.
      removeSocketDir();
      if (options.ephemeral && namespace) await dropNamespaceData(namespace, infra);
    })());

  const startedAt = Date.now();
  try {
    // The client renders pages by calling the API, so it and the gateway start once the
    // services are ready: no burst of 502s and failed renders in the logs.
    for (const phase of [processes.filter((p) => !isFront(p)), processes.filter(isFront)]) {
      for (const managed of phase) managed.start();
      reportPids();
      await Promise.race([Promise.all(phase.map(waitReady)), rejectOnAbort(options.signal)]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  for (const managed of processes) managed.superviseCrashes();
  const services = groupInstances(processes);

  return {
    url: (specs.find((spec) => spec.name === 'gateway') as ProcessSpec).url,
    namespace,
    readyAfterMs: Date.now() - startedAt,
    services,
    stop,
    kill: async (name, replica, signal) => {
      await find(name, replica).kill(signal);
      reportPids();
    },
    restart: async (name, replica) => {
      const managed = find(name, replica);
      await managed.stop();
      managed.start();
      reportPids();
      await waitReady(managed);
    },
    forceKill: () => {
      for (const managed of processes) managed.forceKill();
    },
    addReplica: async (service) => {
      if (stopping) throw new Error('the stack is stopping');
      const replica = processes.filter((p) => p.spec.name === service).length;
      if (replica >= MAX_REPLICAS) throw new Error(`${service} already has ${MAX_REPLICAS} replicas`);
      const [freePort] = await findFreePorts(1);
      const port = options.basePort === undefined ? (freePort as number) : portOf(service, replica);
      if (POSTGRES_SERVICES.includes(service)) await ensureDatabase(databaseUrl(infra, namespaceNames(namespace).database(service)));
      const managed = manage(planServiceReplica({ ...planInput, portOf: (name, n) => (name === service && n === replica ? port : portOf(name, n)) }, service, replica));
      processes.push(managed);
      managed.start();
      reportPids();
      try {
        await waitReady(managed);
      } catch (err) {
        await managed.stop();
        throw err;
      }
      managed.superviseCrashes();
      const [instance] = Object.values(groupInstances([managed])).flat();
      (services[service] ??= []).push(instance as StackInstance);
      return instance as StackInstance;
    },
  };
}

/** The longest socket name a stack gives (socketPathOf), with its slash. */
const LONGEST_SOCKET_NAME = `/${socketPathOf('', 'payments', 8)}`.length;

/** The prefix of every stack's socket directory name: what a leftover directory must start with to be removed. */
export const SOCKET_DIR_PREFIX = 'microtick-';

/**
 * A new directory only this user can enter (mkdtemp makes it 0700), for the services' unix
 * sockets: under the system's temporary directory, or /tmp when that one's path is too long for
 * a socket path. Undefined (the gateway uses the ports) when neither fits.
 */
function makeSocketDir(notice: (message: string) => void): string | undefined {
  for (const parent of [tmpdir(), '/tmp']) {
    const prefix = path.join(parent, SOCKET_DIR_PREFIX);
    if (Buffer.byteLength(prefix) + 6 + LONGEST_SOCKET_NAME <= MAX_SOCKET_PATH_BYTES) return mkdtempSync(prefix);
  }
  notice(`the temporary directory's path (${tmpdir()}) is too long for unix sockets: the gateway reaches the services on their ports`);
  return undefined;
}

const isFront = (managed: ManagedProcess): boolean => managed.spec.name === 'client' || managed.spec.name === 'gateway';

const rejectOnAbort = (signal: AbortSignal | undefined): Promise<never> =>
  new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(new Error('start-up interrupted'));
    signal.addEventListener('abort', () => reject(new Error('start-up interrupted')), { once: true });
  });

function resolveReplicas(requested: Partial<Record<ServiceName, number>>): Record<ServiceName, number> {
  const replicas = Object.fromEntries(SERVICES.map((service) => [service, requested[service] ?? 1])) as Record<ServiceName, number>;
  for (const [service, count] of Object.entries(replicas)) {
    if (!Number.isInteger(count) || count < 1 || count > MAX_REPLICAS) throw new Error(`replicas of ${service} must be 1–${MAX_REPLICAS}, got ${count}`);
  }
  return replicas;
}

async function assignPorts(options: StackOptions, replicas: Record<ServiceName, number>): Promise<(name: ProcessName, replica: number) => number> {
  const { basePort } = options;
  // Without a base port every port is a free one: a stack never collides with `npm start` or another stack.
  const wanted = ['gateway', 'stripe-emulator', ...(basePort === undefined ? ['client', ...SERVICES.flatMap((s) => Array.from({ length: replicas[s] }, (_, i) => `${s}#${i}`))] : [])];
  const free = await findFreePorts(wanted.length);
  const freePort = (key: string) => free[wanted.indexOf(key)] as number;
  const gatewayPort = options.gatewayPort || freePort('gateway');
  const emulatorPort = options.stripeEmulatorPort ?? (basePort === undefined ? freePort('stripe-emulator') : basePort + 9);
  return (name, replica) => {
    if (name === 'gateway') return gatewayPort;
    if (name === 'stripe-emulator') return emulatorPort;
    if (basePort === undefined) return freePort(name === 'client' ? name : `${name}#${replica}`);
    return basePort + DEFAULT_PORTS[name] - DEFAULT_PORTS.client + REPLICA_PORT_STEP * replica;
  };
}

function assertBuilt(specs: ProcessSpec[], repoRoot: string): void {
  const missing = specs
    .filter((spec) => spec.name !== 'client')
    .flatMap((spec) => spec.args.filter((arg) => arg.endsWith('.js')))
    .filter((entry, i, all) => all.indexOf(entry) === i && !existsSync(entry));
  if (missing.length) {
    throw new Error(`Not built yet: ${missing.map((file) => path.relative(repoRoot, file)).join(', ')}. Run \`npx tsc -b\` first (\`npm start\` does).`);
  }
  if (specs.some((spec) => spec.name === 'client') && !existsSync(path.join(repoRoot, 'client/.next/BUILD_ID'))) {
    throw new Error('The client is not built yet. Run `npm run build -w @microtick/client` first (`npm start` does).');
  }
}

async function assertPortsFree(specs: ProcessSpec[]): Promise<void> {
  const busy: string[] = [];
  for (const spec of specs) if (spec.port && !(await isPortFree(spec.port))) busy.push(`${spec.port} (${spec.label})`);
  if (busy.length) throw new Error(`Port${busy.length > 1 ? 's' : ''} already in use: ${busy.join(', ')}. Stop whatever listens there, or choose other ports.`);
}

function groupInstances(processes: readonly ManagedProcess[]): Partial<Record<ProcessName, StackInstance[]>> {
  const grouped: Partial<Record<ProcessName, StackInstance[]>> = {};
  for (const managed of processes) {
    const { name, replica, label, port, url, socketPath } = managed.spec;
    (grouped[name] ??= []).push({
      name,
      replica,
      label,
      port,
      url,
      socketPath,
      get pid() {
        return managed.pid;
      },
    });
  }
  return grouped;
}
