import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { streamSubjects } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { freePort, startProcess, terminate, type BootedProcess } from './testing/boot';
import { k8sRoot } from './testing/overlays';

/**
 * The users file the Kubernetes NATS runs with (base/nats-auth.conf), on a real nats-server:
 * nobody connects anonymously, each service publishes only its own events, consumes through
 * its durable consumers with its own inbox, and only admin manages the stream.
 */
const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const USERS = ['admin', 'auth', 'tickets', 'orders', 'payments', 'expiration'] as const;
const password = (user: string) => `test-${user}-password`;
const STREAM = 'MICROTICK';

let dir: string;
let server: BootedProcess;
let port: number;
const open: NatsConnection[] = [];
const as = async (user: (typeof USERS)[number]) => {
  const nc = await connect({ port, user, pass: password(user), inboxPrefix: `_INBOX_${user}` });
  open.push(nc);
  return nc;
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'microtick-nats-auth-'));
  port = await freePort();
  const env = Object.fromEntries(USERS.map((user) => [`NATS_${user.toUpperCase()}_PASSWORD`, password(user)]));
  server = startProcess([NATS_SERVER, '-c', path.join(k8sRoot, 'base/nats-auth.conf'), '-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { cwd: dir, env });
  await waitFor(() => connect({ port, user: 'admin', pass: password('admin') }).then((nc) => nc.close().then(() => true), () => false), { timeoutMs: 10_000, what: 'nats-server' });
  const jsm = await jetstreamManager(await as('admin'));
  await jsm.streams.add({ name: STREAM, subjects: streamSubjects('') });
});

afterAll(async () => {
  await Promise.all(open.map((nc) => nc.close()));
  if (server) await terminate(server, 10_000);
  rmSync(dir, { recursive: true, force: true });
});

const publishes = async (user: (typeof USERS)[number], subject: string): Promise<boolean> =>
  jetstream(await as(user), { timeout: 2_000 })
    .publish(subject, '{}')
    .then(() => true, () => false);

test('an anonymous client, or a wrong password, cannot connect', async () => {
  await expect(connect({ port, timeout: 2_000 })).rejects.toThrow(/authorization/i);
  await expect(connect({ port, user: 'orders', pass: 'guess', timeout: 2_000 })).rejects.toThrow(/authorization/i);
});

test.each([
  ['tickets', 'ticket.created', true],
  ['orders', 'order.created', true],
  ['payments', 'payment.created', true],
  ['expiration', 'expiration.complete', true],
  ['payments', 'order.created', false],
  ['tickets', 'payment.created', false],
  ['auth', 'order.cancelled', false],
  ['expiration', 'order.cancelled', false],
] as const)('%s publishing %s: %s', async (user, subject, allowed) => {
  expect(await publishes(user, subject)).toBe(allowed);
});

test('a service consumes through its own durable consumer, replies coming to its own inbox', async () => {
  expect(await publishes('orders', 'order.created')).toBe(true);
  const tickets = await as('tickets');
  const jsm = await jetstreamManager(tickets);
  await jsm.consumers.add(STREAM, { durable_name: 'tickets-order-created', filter_subject: 'order.created', ack_policy: AckPolicy.Explicit });
  const consumer = await jetstream(tickets).consumers.get(STREAM, 'tickets-order-created');
  const message = await consumer.next({ expires: 2_000 });
  expect(message?.subject).toBe('order.created');
  await message?.ackAck();
});

test('a service reads a stored event by subject (the fairness question) but cannot delete one', async () => {
  expect(await publishes('payments', 'payment.created')).toBe(true);
  const orders = await jetstreamManager(await as('orders'));
  const firstPayment = { seq: 1, next_by_subj: 'payment.created' };
  const stored = await orders.streams.getMessage(STREAM, firstPayment);
  expect(stored?.subject).toBe('payment.created');
  await expect(orders.streams.deleteMessage(STREAM, stored!.seq)).rejects.toThrow();
});

test('only admin may create, change or delete the stream', async () => {
  const orders = await jetstreamManager(await as('orders'));
  await expect(orders.streams.add({ name: 'ORDERS_OWN', subjects: ['own.>'] })).rejects.toThrow();
  await expect(orders.streams.delete(STREAM)).rejects.toThrow();
  const admin = await jetstreamManager(await as('admin'));
  expect((await admin.streams.info(STREAM)).config.name).toBe(STREAM);
});
