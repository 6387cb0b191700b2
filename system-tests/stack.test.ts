/** The runner itself, as `npm start` and the other system tests use it. */
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { natsAuthOptions } from '@microtick/common';
import { NATS_ADMIN } from '@microtick/common/testing';
import { DEFAULT_INFRA, startStack, type Stack } from '../infra/local/src/stack';
import { findFreePorts } from '../infra/local/src/ports';
import { namespaceNames, postgresTransportOf } from '../infra/local/src/stack-plan';
import { signUp } from './support/api-client';

const databasesOf = async (namespace: string): Promise<string[]> => {
  const client = new pg.Client({ connectionString: `${DEFAULT_INFRA.postgres}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname like $1 order by datname', [`microtick_${namespace}_%`]);
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
};

/** The client ports of the namespace's Postgres sessions: -1 for one on the unix socket. */
const clientPortsOf = async (namespace: string): Promise<number[]> => {
  const client = new pg.Client({ connectionString: `${DEFAULT_INFRA.postgres}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ client_port: number }>('select client_port from pg_stat_activity where datname like $1', [`microtick_${namespace}_%`]);
    return rows.map((row) => row.client_port);
  } finally {
    await client.end();
  }
};

const streamExists = async (stream: string): Promise<boolean> => {
  const nc = await connect({ servers: DEFAULT_INFRA.nats, ...natsAuthOptions(NATS_ADMIN) });
  try {
    const jsm = await jetstreamManager(nc);
    return await jsm.streams.info(stream).then(() => true, () => false);
  } finally {
    await nc.close();
  }
};

it('refuses to start on a port that is taken, naming it, before starting anything', async () => {
  const [port] = await findFreePorts(1);
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    let socketDir: string | undefined;
    await expect(startStack({ gatewayPort: port, withClient: false, namespace: 'st_busy', unixSockets: true, onSocketDir: (dir) => (socketDir = dir), log: () => undefined })).rejects.toThrow(`Port already in use: ${port} (gateway)`);
    // Nothing started, nothing left: not even the sockets' directory.
    expect(socketDir && existsSync(socketDir)).toBe(false);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

it('keeps a namespace’s data apart while running and drops it on stop when ephemeral', async () => {
  const namespace = `st_ns${Date.now().toString(36)}`;
  const lines: string[] = [];
  const stack = await startStack({ namespace, ephemeral: true, withClient: false, log: (line) => lines.push(line) });
  try {
    await signUp(stack.url);
    expect(await databasesOf(namespace)).toEqual(['auth', 'orders', 'payments', 'tickets'].map((service) => `microtick_${namespace}_${service}`));
    expect(await streamExists(namespaceNames(namespace).stream)).toBe(true);
    expect(lines.some((line) => line.startsWith('auth') && line.includes('POST /api/users/signup → 201'))).toBe(true);
    // The services reach Postgres over its unix socket when the server has one (client_port -1), else over TCP.
    const overSocket = postgresTransportOf(DEFAULT_INFRA.postgres).startsWith('unix socket');
    const ports = await clientPortsOf(namespace);
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.filter((port) => (port === -1) !== overSocket)).toEqual([]);
  } finally {
    await stack.stop();
  }
  expect(await databasesOf(namespace)).toEqual([]);
  expect(await streamExists(namespaceNames(namespace).stream)).toBe(false);
  expect(Object.values(stack.services).flat().map((instance) => instance?.pid)).toEqual(Object.values(stack.services).flat().map(() => undefined));
}, 90_000);

it('has the gateway reach the services on 0600 unix sockets in a 0700 directory of its own, survives a killed service, and removes the directory on stop', async () => {
  const namespace = `st_us${Date.now().toString(36)}`;
  const stack = await startStack({ namespace, ephemeral: true, withClient: false, unixSockets: true, log: () => undefined });
  const socketDir = path.dirname(socketOf(stack, 'tickets'));
  try {
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    for (const service of ['auth', 'tickets', 'orders', 'payments'] as const) expect(statSync(socketOf(stack, service)).mode & 0o777).toBe(0o600);
    const user = await signUp(stack.url);
    expect((await user.post('/api/tickets', { title: 'Over the socket', price: 10 })).status).toBe(201);
    // The port still answers too (probes, metrics, tests).
    expect((await fetch(`${stack.services.tickets?.[0]?.url}/readyz`)).status).toBe(200);

    // SIGKILL leaves the socket file behind; the restarted service replaces it.
    await stack.kill('tickets');
    expect(statSync(socketOf(stack, 'tickets')).isSocket()).toBe(true);
    expect((await fetch(`${stack.url}/api/tickets`)).status).toBe(502);
    await stack.restart('tickets');
    let status = 0;
    for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
      status = (await fetch(`${stack.url}/api/tickets`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200)); // the gateway skips a refusing replica for 2 s
    }
    expect(status).toBe(200);
  } finally {
    await stack.stop();
  }
  expect(existsSync(socketDir)).toBe(false);
}, 120_000);

/** The unix socket the stack's gateway reaches a service on. */
function socketOf(stack: Stack, service: 'auth' | 'tickets' | 'orders' | 'payments'): string {
  const socketPath = stack.services[service]?.[0]?.socketPath;
  if (!socketPath) throw new Error(`${service} has no unix socket`);
  return socketPath;
}
