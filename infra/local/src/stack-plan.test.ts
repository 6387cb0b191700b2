import { loadConfig, serviceConfigSchema } from '@microtick/common';
import pg from 'pg';
import { loadRouteTable } from './routes';
import { DEFAULT_PORTS, GATEWAY_UPSTREAM_SERVICES, localPostgresUrl, planServiceReplica, postgresTransportOf, planStack, POSTGRES_SERVICES, REPLICA_PORT_STEP, SERVICES, type ProcessName, type StackPlanInput } from './stack-plan';

const input = (overrides: Partial<StackPlanInput> = {}): StackPlanInput => ({
  repoRoot: '/repo',
  namespace: '',
  portOf: (name: ProcessName, replica: number) => DEFAULT_PORTS[name] + REPLICA_PORT_STEP * replica,
  replicas: { auth: 1, tickets: 1, orders: 1, payments: 1, expiration: 1 },
  withClient: false,
  infra: { postgres: 'postgres://u:p@127.0.0.1:5432', nats: 'nats://127.0.0.1:4222', redis: 'redis://127.0.0.1:6379' },
  jwtKey: 'k'.repeat(32),
  ticketCodeKeys: { privateKey: 'private-key', publicKey: 'public-key' },
  logLevel: 'info',
  gatewayHost: '127.0.0.1',
  baseEnv: { PATH: '/usr/bin' },
  ...overrides,
});

const find = (specs: ReturnType<typeof planStack>, label: string) => {
  const spec = specs.find((s) => s.label === label);
  if (!spec) throw new Error(`no ${label} in ${specs.map((s) => s.label).join(', ')}`);
  return spec;
};

describe('planStack', () => {
  it('runs the emulator, the five services and the gateway on the default ports', () => {
    const specs = planStack(input());
    expect(specs.map((s) => `${s.label}:${s.port}`)).toEqual([
      'stripe-emulator:12111', 'auth:3001', 'tickets:3002', 'orders:3003', 'payments:3004', 'expiration:3005', 'gateway:8080',
    ]);
    expect(find(specs, 'orders')).toMatchObject({ args: ['--max-semi-space-size=2', '--single-threaded', '--require', '/repo/common/dist/tracing/register.js', '/repo/orders/dist/main.js'], ready: { url: 'http://127.0.0.1:3003/readyz', expect: 'ok' } });
  });

  it('tells every service how many stream replicas to keep only when asked, never from the caller\'s shell', () => {
    const inherited = planStack(input({ baseEnv: { PATH: '/usr/bin', NATS_STREAM_REPLICAS: '5' } }));
    for (const service of SERVICES) expect(find(inherited, service).env.NATS_STREAM_REPLICAS).toBeUndefined();
    const clustered = planStack(input({ natsStreamReplicas: 3, infra: { ...input().infra, nats: 'nats://127.0.0.1:1,nats://127.0.0.1:2' } }));
    for (const service of SERVICES) expect(find(clustered, service).env).toMatchObject({ NATS_STREAM_REPLICAS: '3', NATS_URL: 'nats://127.0.0.1:1,nats://127.0.0.1:2' });
  });

  it('plans one more replica of a service exactly like the ones started with the stack', () => {
    const planned = find(planStack(input({ replicas: { auth: 1, tickets: 1, orders: 2, payments: 1, expiration: 1 } })), 'orders#2');
    expect(planServiceReplica(input(), 'orders', 1)).toEqual(planned);
  });

  it('gives the default namespace the default names', () => {
    const specs = planStack(input());
    expect(find(specs, 'auth').env.DATABASE_URL).toBe('postgres://u:p@127.0.0.1:5432/microtick_auth');
    const env = find(specs, 'expiration').env;
    expect(env.DATABASE_URL).toBeUndefined(); // Redis is its only store
    expect(env).toMatchObject({
      NATS_STREAM: 'MICROTICK',
      NATS_SUBJECT_PREFIX: '',
      REDIS_KEY_PREFIX: 'microtick',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });

  it('isolates a namespace: databases, stream, subjects and Redis keys of its own', () => {
    const specs = planStack(input({ namespace: 'st_1' }));
    for (const service of POSTGRES_SERVICES) expect(find(specs, service).env.DATABASE_URL).toBe(`postgres://u:p@127.0.0.1:5432/microtick_st_1_${service}`);
    expect(find(specs, 'orders').env).toMatchObject({ NATS_STREAM: 'MICROTICK_ST_1', NATS_SUBJECT_PREFIX: 'st_1' });
    expect(find(specs, 'expiration').env.REDIS_KEY_PREFIX).toBe('microtick_st_1');
    expect(() => planStack(input({ namespace: 'Bad-Name' }))).toThrow(/namespace/);
  });

  it('starts replicas on their own ports and load-balances the gateway over them', () => {
    const specs = planStack(input({ replicas: { auth: 1, tickets: 2, orders: 3, payments: 1, expiration: 1 } }));
    expect(find(specs, 'orders#3').port).toBe(3023);
    expect(find(specs, 'tickets#2').env.PORT).toBe('3012');
    expect(JSON.parse(find(specs, 'gateway').env.GATEWAY_UPSTREAMS as string)).toEqual({
      client: ['http://127.0.0.1:3000'],
      auth: ['http://127.0.0.1:3001'],
      tickets: ['http://127.0.0.1:3002', 'http://127.0.0.1:3012'],
      orders: ['http://127.0.0.1:3003', 'http://127.0.0.1:3013', 'http://127.0.0.1:3023'],
      payments: ['http://127.0.0.1:3004'],
      expiration: ['http://127.0.0.1:3005'],
    });
  });

  it('with a socket directory, has the gateway reach the services it routes to on their unix sockets (ports kept for the rest)', () => {
    const specs = planStack(input({ socketDir: '/tmp/microtick-abc', replicas: { auth: 1, tickets: 1, orders: 2, payments: 1, expiration: 1 } }));
    expect(JSON.parse(find(specs, 'gateway').env.GATEWAY_UPSTREAMS as string)).toMatchObject({
      auth: ['unix:/tmp/microtick-abc/auth.sock'],
      tickets: ['unix:/tmp/microtick-abc/tickets.sock'],
      orders: ['unix:/tmp/microtick-abc/orders.sock', 'unix:/tmp/microtick-abc/orders-2.sock'],
      payments: ['unix:/tmp/microtick-abc/payments.sock'],
    });
    expect(find(specs, 'orders#2')).toMatchObject({ env: { HTTP_SOCKET: '/tmp/microtick-abc/orders-2.sock', PORT: '3013' }, ready: { url: 'http://127.0.0.1:3013/readyz' } });
    expect(find(specs, 'expiration').env.HTTP_SOCKET).toBeUndefined();
    // Without one (GATEWAY_UNIX_SOCKETS=0), ports only; a caller's HTTP_SOCKET never leaks in.
    const tcp = planStack(input({ baseEnv: { PATH: '/usr/bin', HTTP_SOCKET: '/tmp/x.sock' } }));
    expect(JSON.parse(find(tcp, 'gateway').env.GATEWAY_UPSTREAMS as string)).toMatchObject({ orders: ['http://127.0.0.1:3003'] });
    for (const service of SERVICES) expect(find(tcp, service).env.HTTP_SOCKET).toBeUndefined();
    // The services with a socket are exactly those the routing table sends requests to.
    expect([...GATEWAY_UPSTREAM_SERVICES].sort()).toEqual(Object.keys(loadRouteTable().services).filter((name) => name !== 'client').sort());
  });

  it('points payments at the emulator unless a Stripe key is given', () => {
    expect(find(planStack(input()), 'payments').env).toMatchObject({ STRIPE_API_URL: 'http://127.0.0.1:12111' });
    const withStripe = planStack(input({ stripeSecretKey: 'sk_test_123' }));
    expect(withStripe.some((s) => s.name === 'stripe-emulator')).toBe(false);
    expect(find(withStripe, 'payments').env).toMatchObject({ STRIPE_SECRET_KEY: 'sk_test_123' });
    expect(find(withStripe, 'payments').env.STRIPE_API_URL).toBeUndefined();
  });

  it('passes the expiration window to orders only, and the JWT key to every service', () => {
    const specs = planStack(input({ expirationWindowSeconds: 3 }));
    expect(find(specs, 'orders').env.EXPIRATION_WINDOW_SECONDS).toBe('3');
    expect(find(specs, 'tickets').env.EXPIRATION_WINDOW_SECONDS).toBeUndefined();
    for (const service of SERVICES) expect(find(specs, service).env.JWT_KEY).toBe('k'.repeat(32));
  });

  it('gives the ticket-code private key to orders alone and the public key to tickets', () => {
    const specs = planStack(input());
    expect(find(specs, 'orders').env.TICKET_CODE_PRIVATE_KEY).toBe('private-key');
    expect(find(specs, 'tickets').env.TICKET_CODE_PUBLIC_KEY).toBe('public-key');
    const holders = specs.filter((spec) => spec.env.TICKET_CODE_PRIVATE_KEY !== undefined).map((spec) => spec.name);
    expect(holders).toEqual(['orders']);
  });

  it('keeps the caller’s settings from leaking into children', () => {
    const specs = planStack(input({ baseEnv: { PATH: '/bin', NODE_ENV: 'test', STRIPE_SECRET_KEY: 'sk_live_oops', DATABASE_URL: 'postgres://elsewhere/db', JEST_WORKER_ID: '1' } }));
    const payments = find(specs, 'payments').env;
    expect(payments).toMatchObject({ PATH: '/bin', NODE_ENV: 'development' });
    expect(payments.STRIPE_SECRET_KEY).toBeUndefined();
    expect(payments.JEST_WORKER_ID).toBeUndefined();
    expect(find(specs, 'gateway').env.DATABASE_URL).toBeUndefined();
  });

  it('starts the client in production mode, calling the API through the gateway', () => {
    const client = find(planStack(input({ withClient: true, nextBin: '/repo/node_modules/next/dist/bin/next', gatewayHost: '0.0.0.0' })), 'client');
    expect(client.args).toEqual(['/repo/node_modules/next/dist/bin/next', 'start', '--port', '3000', '--hostname', '127.0.0.1']);
    expect(client.cwd).toBe('/repo/client');
    expect(client.env).toMatchObject({ NODE_ENV: 'production', API_BASE_URL: 'http://127.0.0.1:8080' });
  });
});

describe('localPostgresUrl', () => {
  it('reaches Postgres over its unix socket when the server has one there, else loopback TCP', () => {
    const socketUrl = localPostgresUrl((file) => file === '/var/run/postgresql/.s.PGSQL.5432');
    expect(socketUrl).toBe('postgres://microtick:microtick@%2Fvar%2Frun%2Fpostgresql');
    expect(postgresTransportOf(socketUrl)).toBe('unix socket /var/run/postgresql');
    const tcpUrl = localPostgresUrl(() => false);
    expect(tcpUrl).toBe('postgres://microtick:microtick@127.0.0.1:5432');
    expect(postgresTransportOf(tcpUrl)).toBe('TCP 127.0.0.1:5432');
  });

  it('gives each service a socket URL that the config accepts and pg reads as the directory and database', () => {
    const specs = planStack(input({ infra: { ...input().infra, postgres: localPostgresUrl(() => true) } }));
    const url = find(specs, 'orders').env.DATABASE_URL!;
    expect(url).toBe('postgres://microtick:microtick@%2Fvar%2Frun%2Fpostgresql/microtick_orders');
    expect(loadConfig(serviceConfigSchema, { DATABASE_URL: url, JWT_KEY: 'k', NODE_ENV: 'test' }).DATABASE_URL).toBe(url);
    expect(new pg.Client({ connectionString: url })).toMatchObject({ host: '/var/run/postgresql', database: 'microtick_orders', user: 'microtick' });
  });
});
