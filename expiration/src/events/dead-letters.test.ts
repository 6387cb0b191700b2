import { randomUUID } from 'node:crypto';
import { waitFor } from '@microtick/common/testing';
import type { ExpirationJob } from '../expiration-queue';
import type { ExpirationTimers } from '../expiration-timers';
import { createExpirationTestKit, handledOutcomes, orderCreatedData, type ExpirationTestKit } from '../testing/expiration-test-kit';
import { listDeadLetters, replayDeadLetter } from './dead-letters';
import { orderCreated } from './listeners/order-created.listener';

let kit: ExpirationTestKit;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(() => kit.destroy());

const deadLetters = (options?: { includeReplayed?: boolean }) => listDeadLetters(kit.redis, kit.keyPrefix, options);

describe('dead letters', () => {
  it('parks an invalid message at once, keeps the queue moving, and refuses to replay it', async () => {
    const metrics = await kit.startListeners();
    await kit.bus.js.publish(kit.bus.subjectFor('order:created'), 'not json at all');
    const good = orderCreatedData(60_000);
    await kit.publish('order:created', good);

    const [letter] = await waitFor(async () => ((await deadLetters()).length === 1 ? deadLetters() : undefined), { what: 'dead letter' });
    expect(letter).toMatchObject({
      consumer: 'expiration-order-created',
      subject: kit.bus.subjectFor('order:created'),
      eventType: 'order:created',
      eventId: null,
      payload: 'not json at all',
      deliveries: 1,
      replayedAt: null,
    });
    expect(letter!.error).toMatch(/invalid event/);
    await waitFor(async () => (await handledOutcomes(metrics)).processed === 1, { what: 'the next message handled' });
    expect(await handledOutcomes(metrics)).toEqual({ dead_lettered: 1, processed: 1 });
    expect(await kit.queue.getJob(good.id)).toBeDefined();
    await expect(replayDeadLetter(kit.redis, kit.keyPrefix, letter!.id)).rejects.toThrow(/cannot be replayed/);
  });

  it('parks an event that keeps failing and replays it once the fault is fixed, only once', async () => {
    let redisIsBroken = true;
    const flakyTimers: ExpirationTimers = {
      schedule: (job: ExpirationJob) => (redisIsBroken ? Promise.reject(new Error('READONLY replica')) : kit.timers.schedule(job)),
      settle: (orderId: string) => kit.timers.settle(orderId),
      scheduleOffer: (job) => kit.timers.scheduleOffer(job),
      settleOffer: (offerId) => kit.timers.settleOffer(offerId),
    };
    await kit.startListeners({ listeners: [{ ...orderCreated, maxDeliver: 1 }], timers: flakyTimers });
    const order = orderCreatedData(60_000);
    const envelope = await kit.publish('order:created', order);

    const [letter] = await waitFor(async () => ((await deadLetters()).length === 1 ? deadLetters() : undefined), { what: 'dead letter' });
    expect(letter).toMatchObject({ eventId: envelope.id, deliveries: 1, error: 'Error: READONLY replica' });
    expect(JSON.parse(letter!.payload)).toEqual(envelope);

    redisIsBroken = false;
    await replayDeadLetter(kit.redis, kit.keyPrefix, letter!.id);
    await waitFor(() => kit.queue.getJob(order.id), { what: 'the replayed event handled' });
    expect(await deadLetters()).toEqual([]);
    const [replayed] = await deadLetters({ includeReplayed: true });
    expect(replayed!.replayedAt).toBeInstanceOf(Date);
    // Replayed in expiration's own process: nothing was published again (1 message in the stream).
    expect((await kit.bus.jsm.streams.info(kit.bus.stream)).state.messages).toBe(1);
    await expect(replayDeadLetter(kit.redis, kit.keyPrefix, letter!.id)).rejects.toThrow(/already replayed/);
    await expect(replayDeadLetter(kit.redis, kit.keyPrefix, randomUUID())).rejects.toThrow(/no dead letter/);
  });
});
