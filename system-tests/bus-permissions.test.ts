/**
 * The bus and the cache know who is talking (docs/security.md), on the servers infra/setup.sh
 * configured: anonymous clients are refused, each service's NATS identity publishes only its own
 * events (with or without a subject prefix), only the admin identity manages streams, and
 * expiration's Redis user cannot run the dangerous commands.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectEventBus, localNatsCredentials, localRedisCredentials, localSecretsDir, eventTypes, natsAuthOptions, subjectFor, type EventType, type NatsIdentity } from '@microtick/common';
import { NATS_ADMIN, silentLogger } from '@microtick/common/testing';
import { Redis } from 'ioredis';
import { DEFAULT_INFRA } from '../infra/local/src/stack';

const credentialsOf = (identity: NatsIdentity) => {
  const credentials = localNatsCredentials(identity);
  if (!credentials) throw new Error(`no NATS credentials for ${identity} in ${localSecretsDir()}: run infra/setup.sh (it configures NATS and Redis authentication)`);
  return credentials;
};

const connectAs = (identity: NatsIdentity): Promise<NatsConnection> =>
  connect({ servers: DEFAULT_INFRA.nats, name: `permissions-test-${identity}`, maxReconnectAttempts: 0, ...natsAuthOptions(credentialsOf(identity)) });

const stream = `PERMISSIONS_${randomUUID().slice(0, 8).toUpperCase()}`;
const prefix = stream.toLowerCase();

beforeAll(async () => {
  // The stream the services publish into, provisioned as the runner does: by the admin identity.
  const bus = await connectEventBus({ url: DEFAULT_INFRA.nats, stream, subjectPrefix: prefix, name: 'permissions-test', logger: silentLogger, credentials: credentialsOf('admin') });
  await bus.close();
});

afterAll(async () => {
  const nc = await connectAs('admin');
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
});

/** Publishes `type` through JetStream as `identity`; resolves with the stream sequence or rejects with the server's refusal. */
async function publishAs(identity: NatsIdentity, type: EventType, withPrefix: boolean): Promise<number> {
  const nc = await connectAs(identity);
  try {
    const ack = await jetstream(nc).publish(subjectFor(type, withPrefix ? prefix : ''), JSON.stringify({ forged: true }), { timeout: 5_000 });
    return ack.seq;
  } finally {
    await nc.close();
  }
}

describe('NATS', () => {
  it('refuses an anonymous client, and a wrong password', async () => {
    await expect(connect({ servers: DEFAULT_INFRA.nats, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: DEFAULT_INFRA.nats, maxReconnectAttempts: 0, user: 'orders', pass: 'not-the-password' })).rejects.toThrow(/Authorization Violation/i);
  });

  it.each([
    ['payments', 'order:created'],
    ['tickets', 'payment:created'],
    ['orders', 'payment:created'],
    ['auth', 'order:created'],
    ['expiration', 'order:cancelled'],
    ['payments', 'expiration:complete'],
  ] as const)("refuses %s publishing %s, prefixed or not", async (identity, type) => {
    await expect(publishAs(identity, type, true)).rejects.toThrow(/Permissions Violation for Publish/);
    await expect(publishAs(identity, type, false)).rejects.toThrow(/Permissions Violation for Publish/);
  });

  it.each([
    ['tickets', 'ticket:updated'],
    ['orders', 'order:created'],
    ['payments', 'payment:created'],
    ['expiration', 'expiration:complete'],
  ] as const)('lets %s publish its own %s', async (identity, type) => {
    expect(await publishAs(identity, type, true)).toBeGreaterThan(0);
  });

  it('lets every event of the catalogue be published by the service of its aggregate (a new aggregate needs a permission)', async () => {
    const owner: Record<string, NatsIdentity> = { ticket: 'tickets', order: 'orders', payment: 'payments', expiration: 'expiration' };
    for (const type of eventTypes) {
      const identity = owner[type.split(':')[0] as string];
      expect({ type, identity }).toEqual({ type, identity: expect.any(String) });
      expect(await publishAs(identity as NatsIdentity, type, true)).toBeGreaterThan(0);
    }
  });

  it("lets no service read another's messages or replies outside its own inbox", async () => {
    const nc = await connect({ servers: DEFAULT_INFRA.nats, maxReconnectAttempts: 0, ...natsAuthOptions(credentialsOf('tickets')) });
    const refused = new Promise<Error>((resolve) => {
      void nc.closed().then((err) => resolve(err as Error));
      void (async () => {
        for await (const status of nc.status()) if (status.type === 'error') resolve(status.error as Error);
      })();
    });
    nc.subscribe(subjectFor('payment:created', prefix));
    nc.subscribe('_INBOX_orders.>');
    expect(String(await refused)).toMatch(/Permissions Violation for Subscription/);
    await nc.close();
  });

  it('lets only the admin identity delete or change a stream', async () => {
    for (const identity of ['orders', 'payments'] as const) {
      const nc = await connectAs(identity);
      const jsm = await jetstreamManager(nc);
      await expect(jsm.streams.delete(stream)).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.streams.purge(stream)).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.streams.update(stream, { max_msgs: 1 })).rejects.toThrow(/Permissions Violation/);
      await nc.close();
    }
    await expect(
      connectEventBus({ url: DEFAULT_INFRA.nats, stream: `${stream}_NEW`, subjectPrefix: `${prefix}_new`, name: 'x', logger: silentLogger, credentials: credentialsOf('payments') }),
    ).rejects.toThrow(/may not create it: the admin identity provisions streams/);
    expect(NATS_ADMIN?.user).toBe('admin'); // the test harnesses' identity
  });
});

describe('Redis', () => {
  const url = DEFAULT_INFRA.redis;
  const open = (options: { username?: string; password?: string } = {}) =>
    new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });

  it('requires a password', async () => {
    const anonymous = open();
    anonymous.on('error', () => undefined); // the refusal is what this test expects
    await anonymous.connect().catch(() => undefined);
    await expect(anonymous.set(`perm-test:${randomUUID()}`, 'x')).rejects.toThrow(/NOAUTH|WRONGPASS|closed/i);
    anonymous.disconnect();
  });

  it("gives expiration's user the commands BullMQ needs, not the dangerous ones", async () => {
    const credentials = localRedisCredentials('expiration');
    if (!credentials) throw new Error(`no Redis credentials for expiration in ${localSecretsDir()}: run infra/setup.sh`);
    const redis = open({ username: credentials.user, password: credentials.password });
    await redis.connect();
    try {
      const key = `perm-test:${randomUUID()}`;
      expect(await redis.set(key, 'x', 'EX', 60)).toBe('OK');
      expect(await redis.info('server')).toMatch(/redis_version/);
      await expect(redis.flushall()).rejects.toThrow(/NOPERM/);
      await expect(redis.config('GET', 'dir')).rejects.toThrow(/NOPERM/);
      await expect(redis.keys('*')).rejects.toThrow(/NOPERM/);
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});
