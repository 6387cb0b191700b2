import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import { createExpirationTestKit, handledOutcomes, orderCreatedData, type ExpirationTestKit } from '../../test-support';

let kit: ExpirationTestKit;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(() => kit.destroy());

describe('order:completed', () => {
  it('drops the pending timer of the completed order, so nothing is published', async () => {
    await kit.startWorker();
    const metrics = await kit.startListeners();
    const order = orderCreatedData(600);
    await kit.publish('order:created', order);
    await waitFor(() => kit.queue.getJob(order.id), { what: 'timer armed' });

    const completed = await kit.publish('order:completed', { id: order.id, version: 1, userId: order.userId, paymentId: randomUUID(), ticket: order.ticket });
    await kit.redeliver(completed);
    await waitFor(async () => ((await handledOutcomes(metrics)).processed ?? 0) >= 2, { what: 'completion handled' });
    expect(await kit.queue.getJob(order.id)).toBeUndefined();

    await sleep(Date.parse(order.expiresAt) - Date.now() + 400);
    expect(kit.received).toEqual([]);
  });
});
