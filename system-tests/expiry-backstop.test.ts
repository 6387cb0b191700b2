/**
 * Orders is the source of truth for reservations; expiration's BullMQ timer is only the prompt
 * trigger. Each way of losing that trigger is tried on a stack with a 4-second window, a 2-second
 * grace and a 1-second sweep: the job deleted from Redis, every Redis key of the stack flushed,
 * and the `expiration:complete` dead-lettered by orders. Each time the unpaid order still ends
 * cancelled, with its ticket back on sale, within window + grace (+ one sweep interval and slack).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { localRedisCredentials, redisUrlWith } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { DEFAULT_INFRA } from '../infra/local/src/stack';
import { namespaceNames } from '../infra/local/src/stack-plan';
import { signUp, type ApiClient } from './support/api-client';
import { createTicket, listedIds, orderWhenReplicated, waitForOrder, waitForTicket } from './support/flows';
import { StackDatabases } from './support/stack-databases';
import { startTestStack, type TestStack } from './support/test-stack';
import type { Order } from './support/types';

const WINDOW_SECONDS = 4;
const GRACE_SECONDS = 2;
const SWEEP_SECONDS = 1;
/** A busy machine (2 cores, several test runs) may be this late on top of the sweep's own bound. */
const SLACK_MS = 5_000;

let stack: TestStack;
let databases: StackDatabases;
let redis: Redis;
let queue: Queue;
let seller: ApiClient;
let buyer: ApiClient;

beforeAll(async () => {
  process.env.EXPIRY_SWEEP_GRACE_SECONDS = String(GRACE_SECONDS);
  process.env.EXPIRY_SWEEP_INTERVAL_SECONDS = String(SWEEP_SECONDS);
  // Orders parks an event after two real failures, so the dead-letter case takes a second, not a minute.
  process.env.LISTENER_MAX_DELIVER = '2';
  stack = await startTestStack({ expirationWindowSeconds: WINDOW_SECONDS });
  databases = StackDatabases.open(stack.namespace);
  redis = new Redis(redisUrlWith(DEFAULT_INFRA.redis, localRedisCredentials('admin')), { maxRetriesPerRequest: null });
  queue = new Queue('order-expiration', { connection: redis, prefix: namespaceNames(stack.namespace).redisKeyPrefix });
  seller = await signUp(stack.url);
  buyer = await signUp(stack.url);
}, 120_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await databases?.close();
  await stack?.stop();
}, 60_000);

/** An unpaid order whose expiration timer is armed (its BullMQ job exists). */
async function reserve(title: string): Promise<Order> {
  const ticket = await createTicket(seller, title, 12);
  const ordered = await orderWhenReplicated(buyer, ticket.id);
  expect(ordered.status).toBe(201);
  await waitFor(async () => (await queue.getJob(ordered.body.id)) !== undefined, { what: `the expiration job of ${ordered.body.id}` });
  return ordered.body;
}

/** The order ends cancelled and its ticket back on sale, no later than expiresAt + grace + a sweep + slack. */
async function expectCancelledInTime(order: Order): Promise<void> {
  const deadline = new Date(order.expiresAt).getTime() + (GRACE_SECONDS + SWEEP_SECONDS) * 1000 + SLACK_MS;
  await waitForOrder(buyer, order.id, (o) => o.status === 'cancelled', `order ${order.id} to be cancelled`, deadline - Date.now() + 1_000);
  await waitForTicket(seller, order.ticket.id, (t) => t.orderId === null, `ticket ${order.ticket.id} to be released`);
  expect(Date.now()).toBeLessThanOrEqual(deadline + 2_000); // + the replication to tickets
  expect(await listedIds(buyer)).toContain(order.ticket.id);
}

it('cancels an unpaid order whose expiration job was deleted from Redis', async () => {
  const order = await reserve('Lost job');
  await queue.remove(order.id);
  expect(await queue.getJob(order.id)).toBeUndefined();
  await expectCancelledInTime(order);
}, 60_000);

it("cancels an unpaid order after every one of the stack's Redis keys was flushed", async () => {
  const order = await reserve('Flushed Redis');
  const prefix = namespaceNames(stack.namespace).redisKeyPrefix;
  let flushed = 0;
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) flushed += await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  expect(flushed).toBeGreaterThan(0);
  expect(await queue.getJob(order.id)).toBeUndefined();
  await expectCancelledInTime(order);
}, 60_000);

it('cancels an unpaid order whose expiration:complete orders dead-lettered', async () => {
  const order = await reserve('Dead-lettered timer');
  // Orders cannot cancel this order while the trigger is there, so its expiration:complete fails
  // twice and is parked; the trigger goes once the dead letter is recorded, as a fix would.
  await databases.query('orders', `
    create function mt_test_refuse_cancel() returns trigger language plpgsql as $$
    begin
      if new.status = 'cancelled' and old.id = '${order.id}' then raise exception 'injected: cannot cancel this order now'; end if;
      return new;
    end $$`);
  await databases.query('orders', 'create trigger mt_test_refuse_cancel before update on orders for each row execute function mt_test_refuse_cancel()');
  try {
    await waitFor(
      async () => (await databases.deadLetters()).some((l) => l.service === 'orders' && l.eventType === 'expiration:complete'),
      { timeoutMs: (WINDOW_SECONDS + 15) * 1000, what: 'the expiration:complete to be dead-lettered' },
    );
  } finally {
    await databases.query('orders', 'drop trigger mt_test_refuse_cancel on orders');
    await databases.query('orders', 'drop function mt_test_refuse_cancel()');
  }
  await expectCancelledInTime(order);
}, 60_000);
