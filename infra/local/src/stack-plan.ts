import path from 'node:path';
import type { UserCredentials } from '@microtick/common';

/** The five back-end services, each built to `<name>/dist/main.js`. */
export const SERVICES = ['auth', 'tickets', 'orders', 'payments', 'expiration'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type ProcessName = ServiceName | 'stripe-emulator' | 'client' | 'gateway';
/** The services with a Postgres database of their own (expiration keeps its timers in Redis). */
export const POSTGRES_SERVICES: readonly ServiceName[] = ['auth', 'tickets', 'orders', 'payments'];

/** Stopping goes in stages: gateway first (no new traffic), the services together, emulator last (payments may still call it). */
export const STOP_STAGES: readonly (readonly ProcessName[])[] = [['gateway'], ['client'], SERVICES, ['stripe-emulator']];

/** `npm start`'s ports (docs/service-anatomy.md); replica k ≥ 1 of a service listens on port + 10·k. */
export const DEFAULT_PORTS: Readonly<Record<ProcessName, number>> = {
  client: 3000,
  auth: 3001,
  tickets: 3002,
  orders: 3003,
  payments: 3004,
  expiration: 3005,
  'stripe-emulator': 12111,
  gateway: 8080,
};
export const REPLICA_PORT_STEP = 10;
/** The services the gateway routes to (infra/routes.yaml): each also listens on a unix socket in the stack's socket directory. */
export const GATEWAY_UPSTREAM_SERVICES: readonly ServiceName[] = ['auth', 'tickets', 'orders', 'payments'];
/** Loaded with `--require` before each service's main.js; a no-op unless an OTLP endpoint is set. */
export const TRACING_PRELOAD = 'common/dist/tracing/register.js';
/**
 * V8 flags every service runs with, here and in the images (infra/docker/service.Dockerfile's
 * CMD). A 2 MB semi-space instead of V8's default of up to 16 MB keeps the young generation from
 * growing while modules load: idle RSS about 9 MB lower per service ("Wave 3 — HTTP path" in
 * docs/benchmarks-history.md). Its price under load is CPU: with the collector on the main thread
 * (below), 16 MB spent about 13 % less CPU per order but held 81 MB at rest, over the 80 MB
 * target, and 4 MB saved nothing ("Wave 16 — the young generation's price"). V8 runs no background
 * threads (`--single-threaded`): with a 2 MB semi-space the young generation is scavenged many
 * times a second under load, and each parallel scavenge woke V8's helper threads, which on two
 * cores shared by seven processes cost more than they took over (CPU per order about 12 % lower
 * with the collector on the main thread, in alternated pairs: "Wave 14 — a single-threaded
 * collector"). Compiling on the main thread as well costs no measurable CPU and keeps about 2 MB
 * less per service, which is what holds expiration under the 80 MB idle target ("Wave 15 — no
 * background threads"). A command-line flag: Node refuses it in NODE_OPTIONS.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--single-threaded'];
export const MAX_REPLICAS = 9;

export const isServiceName = (name: string): name is ServiceName => (SERVICES as readonly string[]).includes(name);

/** Where the stack keeps its data; a namespace gives it names of its own on the shared servers. */
export interface InfraUrls {
  /** Server URL without a database: postgres://microtick:microtick@127.0.0.1:5432, or over a unix socket (localPostgresUrl). */
  postgres: string;
  nats: string;
  redis: string;
}

/** Who each process is on NATS and Redis (infra/setup.sh generates them); absent = servers without authentication. */
export interface StackCredentials {
  nats: Partial<Record<ServiceName, UserCredentials>>;
  /** expiration's Redis ACL user. */
  redis?: UserCredentials;
}

export interface StackPlanInput {
  repoRoot: string;
  /** '' = the default names (`microtick_<svc>`, stream MICROTICK, no subject prefix). */
  namespace: string;
  portOf(name: ProcessName, replica: number): number;
  replicas: Readonly<Record<ServiceName, number>>;
  withClient: boolean;
  infra: InfraUrls;
  jwtKey: string;
  /** Base64 DER Ed25519 keys: orders gets the private one, tickets the public one. */
  ticketCodeKeys: { privateKey: string; publicKey: string };
  credentials?: StackCredentials;
  /** Extra settings per service, e.g. raised abuse limits for tests and benchmarks. */
  serviceEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
  logLevel: string;
  expirationWindowSeconds?: number;
  /** Copies of the stream the services keep (NATS_STREAM_REPLICAS; 3 on a three-node cluster). Unset: the services' default (1). */
  natsStreamReplicas?: number;
  /** Set: payments uses real Stripe and no emulator runs. */
  stripeSecretKey?: string;
  gatewayHost: string;
  /**
   * A directory only this user can enter (0700) where each service the gateway routes to also
   * listens on a unix socket (HTTP_SOCKET), and the gateway connects there instead of to its port.
   * Unset: the gateway uses the services' ports.
   */
  socketDir?: string;
  /** Next's CLI (`next/dist/bin/next`), needed when `withClient`. */
  nextBin?: string;
  /** Environment every child inherits (PATH, HOME, …) before its own settings. */
  baseEnv: NodeJS.ProcessEnv;
}

export interface ReadinessProbe {
  url: string;
  /** `ok`: a 200 answer; `any`: any HTTP answer at all (the process is listening). */
  expect: 'ok' | 'any';
}

export interface ProcessSpec {
  name: ProcessName;
  /** 0-based replica number. */
  replica: number;
  /** `orders`, `orders#2`, …: how logs and messages name it. */
  label: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  url: string;
  /** The unix socket it also listens on, when the gateway reaches it there. */
  socketPath?: string;
  ready: ReadinessProbe;
}

/**
 * Every variable a child's configuration reads. Inherited values are dropped first, so a
 * variable set in the caller's shell (or jest's NODE_ENV=test) never leaks into a stack.
 */
const MANAGED_ENV = [
  'NODE_ENV', 'PORT', 'HOST', 'HOSTNAME', 'LOG_LEVEL', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'NATS_URL', 'NATS_STREAM',
  'NATS_SUBJECT_PREFIX', 'JWT_KEY', 'JWT_EXPIRES_IN_SECONDS', 'EXPIRATION_WINDOW_SECONDS', 'STRIPE_SECRET_KEY',
  'STRIPE_API_URL', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_EMULATOR_WEBHOOK_URL', 'STRIPE_EMULATOR_WEBHOOK_SECRET', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'API_BASE_URL', 'GATEWAY_PORT', 'GATEWAY_HOST', 'GATEWAY_UPSTREAMS',
  'ROUTES_FILE', 'HTTP_SOCKET', 'JEST_WORKER_ID', 'NATS_USER', 'NATS_PASSWORD', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'NATS_STREAM_REPLICAS',
  'TICKET_CODE_PRIVATE_KEY', 'TICKET_CODE_PUBLIC_KEY',
];

/**
 * The per-user abuse limits (docs/security.md) lifted out of the way, for test suites and
 * benchmarks that act as a few users at machine speed from one address. Tests of the limits
 * themselves start their stacks without it.
 */
export const RAISED_ABUSE_LIMITS: Readonly<Partial<Record<ServiceName, Readonly<Record<string, string>>>>> = {
  auth: { SIGNIN_RATE_LIMIT_PER_MINUTE: '1000000', SIGNIN_FAILURES_PER_ACCOUNT_PER_MINUTE: '1000000', SIGNUP_RATE_LIMIT_PER_MINUTE: '1000000' },
  orders: { ORDERS_RATE_LIMIT_PER_MINUTE: '1000000', MAX_LIVE_ORDERS_PER_USER: '1000000' },
};

/** Names a namespace's data gets, shared by the plan and the clean-up of test stacks. */
export const namespaceNames = (namespace: string) => ({
  database: (service: ServiceName) => (namespace ? `microtick_${namespace}_${service}` : `microtick_${service}`),
  stream: namespace ? `MICROTICK_${namespace.toUpperCase()}` : 'MICROTICK',
  subjectPrefix: namespace,
  redisKeyPrefix: namespace ? `microtick_${namespace}` : 'microtick',
});

export const databaseUrl = (infra: InfraUrls, database: string): string => `${infra.postgres.replace(/\/+$/, '')}/${database}`;

/** Where Debian's PostgreSQL listens on a unix socket (its `unix_socket_directories`), and the socket's file for a port. */
export const POSTGRES_SOCKET_DIR = '/var/run/postgresql';
export const postgresSocketFile = (socketDir: string, port = 5432): string => path.join(socketDir, `.s.PGSQL.${port}`);

/**
 * The Postgres server `npm start`, the system tests and the bench use, without a database:
 * over the server's unix socket when it is there (a quarter less client CPU per round trip
 * than loopback TCP; infra/setup.sh lets the role log in there with its password), else
 * loopback TCP. The directory goes in the host, percent-encoded, which both `new URL` and pg
 * read: `postgres://microtick:microtick@%2Fvar%2Frun%2Fpostgresql`.
 */
export function localPostgresUrl(socketExists: (file: string) => boolean, socketDir = POSTGRES_SOCKET_DIR): string {
  const credentials = 'microtick:microtick';
  return socketExists(postgresSocketFile(socketDir)) ? `postgres://${credentials}@${encodeURIComponent(socketDir)}` : `postgres://${credentials}@127.0.0.1:5432`;
}

/** How a Postgres URL reaches its server, for reports: `unix socket /var/run/postgresql` or `TCP 127.0.0.1:5432`. */
export function postgresTransportOf(url: string): string {
  const host = decodeURIComponent(new URL(url).hostname);
  return host.startsWith('/') ? `unix socket ${host}` : `TCP ${new URL(url).host}`;
}

export const isValidNamespace = (namespace: string): boolean => /^([a-z][a-z0-9_]{0,30})?$/.test(namespace);

/**
 * Signs the emulator's webhooks and verifies them in payments. Not a secret: it only ever covers
 * the emulator's own events; with real Stripe, set STRIPE_WEBHOOK_SECRET in payments' environment.
 */
export const EMULATOR_WEBHOOK_SECRET = 'whsec_microtick_emulator_development_only';

/** The processes of one stack and exactly how each is started. Pure: no I/O. */
export function planStack(input: StackPlanInput): ProcessSpec[] {
  if (!isValidNamespace(input.namespace)) throw new Error(`namespace "${input.namespace}" must be lower-case letters, digits and _ (≤ 31), starting with a letter`);
  const names = namespaceNames(input.namespace);
  const localUrl = (port: number) => `http://127.0.0.1:${port}`;
  const baseEnv = { ...input.baseEnv };
  for (const name of MANAGED_ENV) delete baseEnv[name];
  const node = process.execPath;
  const specs: ProcessSpec[] = [];
  const add = (name: ProcessName, replica: number, spec: Omit<ProcessSpec, 'name' | 'replica' | 'label' | 'port' | 'url' | 'cwd'> & { cwd?: string }) => {
    const port = input.portOf(name, replica);
    specs.push({ name, replica, label: replica ? `${name}#${replica + 1}` : name, port, url: localUrl(port), cwd: input.repoRoot, ...spec });
  };

  const gatewayPort = input.portOf('gateway', 0);
  const gatewayUrl = `http://${input.gatewayHost === '0.0.0.0' ? '127.0.0.1' : input.gatewayHost}:${gatewayPort}`;
  const emulatorPort = input.portOf('stripe-emulator', 0);
  if (!input.stripeSecretKey) {
    add('stripe-emulator', 0, {
      command: node,
      args: [path.join(input.repoRoot, 'infra/stripe-emulator/dist/main.js')],
      env: {
        ...baseEnv,
        PORT: String(emulatorPort),
        HOST: '127.0.0.1',
        // Webhooks come in through the public origin, as Stripe's would.
        STRIPE_EMULATOR_WEBHOOK_URL: `${gatewayUrl}/api/payments/webhook`,
        STRIPE_EMULATOR_WEBHOOK_SECRET: EMULATOR_WEBHOOK_SECRET,
      },
      ready: { url: `${localUrl(emulatorPort)}/`, expect: 'any' },
    });
  }

  for (const service of SERVICES) {
    for (let replica = 0; replica < input.replicas[service]; replica++) {
      const port = input.portOf(service, replica);
      const socketPath = input.socketDir && GATEWAY_UPSTREAM_SERVICES.includes(service) ? socketPathOf(input.socketDir, service, replica) : undefined;
      add(service, replica, {
        socketPath,
        command: node,
        // The tracing preload must load before the service's code does (docs/tracing.md).
        args: [...SERVICE_NODE_FLAGS, '--require', path.join(input.repoRoot, TRACING_PRELOAD), path.join(input.repoRoot, service, 'dist/main.js')],
        env: {
          ...baseEnv,
          NODE_ENV: 'development',
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: input.logLevel,
          ...(socketPath ? { HTTP_SOCKET: socketPath } : {}),
          ...serviceEnv(service, input, names, localUrl(emulatorPort)),
          ...input.serviceEnv?.[service],
        },
        ready: { url: `${localUrl(port)}/readyz`, expect: 'ok' },
      });
    }
  }

  const clientPort = input.portOf('client', 0);
  if (input.withClient) {
    if (!input.nextBin) throw new Error('the client needs nextBin');
    const clientDir = path.join(input.repoRoot, 'client');
    add('client', 0, {
      command: node,
      args: [input.nextBin, 'start', '--port', String(clientPort), '--hostname', '127.0.0.1'],
      cwd: clientDir,
      env: { ...baseEnv, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', API_BASE_URL: gatewayUrl },
      ready: { url: `${localUrl(clientPort)}/`, expect: 'any' },
    });
  }

  const upstreams: Record<string, string[]> = { client: [localUrl(clientPort)] };
  for (const spec of specs) if (isServiceName(spec.name)) (upstreams[spec.name] ??= []).push(spec.socketPath ? `unix:${spec.socketPath}` : spec.url);
  specs.push({
    name: 'gateway',
    replica: 0,
    label: 'gateway',
    command: node,
    args: [path.join(input.repoRoot, 'infra/local/dist/gateway-main.js')],
    cwd: input.repoRoot,
    env: {
      ...baseEnv,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: input.gatewayHost,
      GATEWAY_UPSTREAMS: JSON.stringify(upstreams),
      LOG_LEVEL: input.logLevel,
    },
    port: gatewayPort,
    url: gatewayUrl,
    ready: { url: `${gatewayUrl}/api/users/currentuser`, expect: 'any' },
  });
  return specs;
}

/** `<dir>/orders.sock`, `<dir>/orders-2.sock` for the second replica, …: short, as a socket path must be (≤ 107 bytes). */
export const socketPathOf = (socketDir: string, service: ServiceName, replica: number): string => path.join(socketDir, `${service}${replica ? `-${replica + 1}` : ''}.sock`);

/** One more replica of a service, started exactly like the ones planned with the stack (scale-out of a running stack). */
export function planServiceReplica(input: StackPlanInput, service: ServiceName, replica: number): ProcessSpec {
  const spec = planStack({ ...input, replicas: { ...input.replicas, [service]: replica + 1 } }).find((s) => s.name === service && s.replica === replica);
  if (!spec) throw new Error(`no plan for ${service} replica ${replica}`);
  return spec;
}

function serviceEnv(service: ServiceName, input: StackPlanInput, names: ReturnType<typeof namespaceNames>, emulatorUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    NATS_URL: input.infra.nats,
    NATS_STREAM: names.stream,
    NATS_SUBJECT_PREFIX: names.subjectPrefix,
    JWT_KEY: input.jwtKey,
  };
  if (input.natsStreamReplicas !== undefined) env.NATS_STREAM_REPLICAS = String(input.natsStreamReplicas);
  const nats = input.credentials?.nats[service];
  if (nats) Object.assign(env, { NATS_USER: nats.user, NATS_PASSWORD: nats.password });
  if (POSTGRES_SERVICES.includes(service)) env.DATABASE_URL = databaseUrl(input.infra, names.database(service));
  if (service === 'orders' && input.expirationWindowSeconds !== undefined) env.EXPIRATION_WINDOW_SECONDS = String(input.expirationWindowSeconds);
  if (service === 'orders') env.TICKET_CODE_PRIVATE_KEY = input.ticketCodeKeys.privateKey;
  if (service === 'tickets') env.TICKET_CODE_PUBLIC_KEY = input.ticketCodeKeys.publicKey;
  if (service === 'payments') {
    if (input.stripeSecretKey) {
      env.STRIPE_SECRET_KEY = input.stripeSecretKey;
      // Real Stripe signs with the endpoint's own secret, which the caller provides.
      if (input.baseEnv.STRIPE_WEBHOOK_SECRET) env.STRIPE_WEBHOOK_SECRET = input.baseEnv.STRIPE_WEBHOOK_SECRET;
    } else {
      env.STRIPE_API_URL = emulatorUrl;
      env.STRIPE_WEBHOOK_SECRET = EMULATOR_WEBHOOK_SECRET;
    }
  }
  if (service === 'expiration') {
    env.REDIS_URL = input.infra.redis;
    env.REDIS_KEY_PREFIX = names.redisKeyPrefix;
    const redis = input.credentials?.redis;
    if (redis) Object.assign(env, { REDIS_USERNAME: redis.user, REDIS_PASSWORD: redis.password });
  }
  return env;
}
