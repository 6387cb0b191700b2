import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import { expirationEventId } from '../../expiration/expiration-complete.publisher';
import type { ExpirationTimers } from '../../expiration/expiration-timers';
import { ORDER_CREATED_WINDOW_MS } from './order-created.listener';
import { createExpirationTestKit, handledOutcomes, orderCreatedData, type ExpirationTestKit } from '../../test-support';

let kit: ExpirationTestKit;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(() => kit.destroy());

describe('order:created', () => {
  it('publishes expiration:complete at expiresAt, with an event id derived from the order id', async () => {
    await kit.startWorker();
    await kit.startListeners();
    const order = orderCreatedData(300);
    await kit.publish('order:created', order);

    const [expiration] = await waitFor(() => (kit.received.length ? kit.received : undefined), { what: 'expiration:complete' });
    expect(expiration!.envelope).toEqual({
      id: expirationEventId(order.id),
      type: 'expiration:complete',
      occurredAt: order.expiresAt,
      data: { orderId: order.id },
    });
    expect(expiration!.receivedAt).toBeGreaterThanOrEqual(Date.parse(order.expiresAt));
    expect(expiration!.receivedAt - Date.parse(order.expiresAt)).toBeLessThan(2_000);
    expect(await kit.storedExpirations()).toEqual([expiration!.envelope]);
  });

  it('skips an event delivered again after it was handled', async () => {
    const metrics = await kit.startListeners();
    const envelope = await kit.publish('order:created', orderCreatedData(60_000));
    await waitFor(async () => (await handledOutcomes(metrics)).processed === 1, { what: 'first delivery' });
    await kit.redeliver(envelope);
    await waitFor(async () => (await handledOutcomes(metrics)).duplicate === 1, { what: 'second delivery' });
    expect(await handledOutcomes(metrics)).toEqual({ processed: 1, duplicate: 1 });
  });

  it('arms one timer however many copies and events about the same order arrive at once', async () => {
    await kit.startWorker();
    const metrics = await kit.startListeners();
    const order = orderCreatedData(500);
    const envelope = await kit.publish('order:created', order);
    // Copies handled concurrently can all run the handler (the id is marked after success):
    // the job id, not the processed mark, is what keeps the timer single.
    await Promise.all([kit.redeliver(envelope), kit.publish('order:created', order)]);

    await waitFor(async () => {
      const outcomes = await handledOutcomes(metrics);
      return (outcomes.processed ?? 0) + (outcomes.duplicate ?? 0) === 3;
    }, { what: 'three deliveries handled' });
    expect(await kit.queue.getJobCounts('delayed')).toEqual({ delayed: 1 });

    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete' });
    await sleep(500);
    // Counted on a plain subscription, which sees every publish, even those JetStream de-duplicates.
    expect(kit.received).toHaveLength(1);
  });

  it('fires at once for an expiresAt already in the past', async () => {
    await kit.startWorker();
    await kit.startListeners();
    const order = orderCreatedData(-60_000);
    const publishedAt = Date.now();
    await kit.publish('order:created', order);

    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete' });
    expect(kit.received[0]!.receivedAt - publishedAt).toBeLessThan(2_000);
    expect(kit.received[0]!.envelope.data.orderId).toBe(order.id);
  });

  it('never arms the timer of an order that was completed before its order:created arrived', async () => {
    await kit.startWorker();
    const metrics = await kit.startListeners();
    // Due after the batch window: an order already overdue when armed fires at once, and its
    // expiry may then run before the marker removes it (harmless: orders ignores it for a paid order).
    const order = orderCreatedData(ORDER_CREATED_WINDOW_MS + 200);
    await kit.publish('order:completed', { id: order.id, version: 1, userId: order.userId, paymentId: randomUUID(), ticket: order.ticket });
    await waitFor(async () => (await handledOutcomes(metrics)).processed === 1, { what: 'completion handled' });
    await kit.publish('order:created', order);
    await waitFor(async () => (await handledOutcomes(metrics)).processed === 2, { what: 'order handled' });

    await sleep(ORDER_CREATED_WINDOW_MS + 600);
    expect(kit.received).toEqual([]);
    expect(await kit.queue.getJob(order.id)).toBeUndefined();
  });

  it('arms the timers of orders placed together with one bulk add, never one whose order was completed before', async () => {
    const bulkAdds: number[] = [];
    const timers: ExpirationTimers = {
      schedule: (job) => kit.timers.schedule(job),
      scheduleAll: (jobs) => {
        bulkAdds.push(jobs.length);
        return kit.timers.scheduleAll(jobs);
      },
      settle: (orderId) => kit.timers.settle(orderId),
      settleAll: (orderIds) => kit.timers.settleAll(orderIds),
      scheduleOffer: (job) => kit.timers.scheduleOffer(job),
      settleOffer: (offerId) => kit.timers.settleOffer(offerId),
    };
    const metrics = await kit.startListeners({ timers });
    const completed = orderCreatedData(60_000);
    await kit.publish('order:completed', { id: completed.id, version: 1, userId: completed.userId, paymentId: randomUUID(), ticket: completed.ticket });
    await waitFor(async () => (await handledOutcomes(metrics)).processed === 1, { what: 'completion handled' });

    const orders = [orderCreatedData(60_000), orderCreatedData(60_000), completed, orderCreatedData(60_000)];
    await Promise.all(orders.map((order) => kit.publish('order:created', order)));
    await waitFor(async () => (await handledOutcomes(metrics)).processed === 5, { what: 'orders handled' });

    expect(bulkAdds).toEqual([4]);
    expect(await kit.queue.getJobCounts('delayed')).toEqual({ delayed: 3 });
    expect(await kit.queue.getJob(completed.id)).toBeUndefined();
    for (const order of orders.filter((o) => o !== completed)) expect((await kit.queue.getJob(order.id))?.delay).toBeGreaterThan(50_000);
  });
});
