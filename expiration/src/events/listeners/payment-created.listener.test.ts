import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import { createExpirationTestKit, handledOutcomes, orderCreatedData, type ExpirationTestKit } from '../../testing/expiration-test-kit';

let kit: ExpirationTestKit;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(() => kit.destroy());

describe('payment:created', () => {
  it('drops the pending timer of the paid order, so nothing is published', async () => {
    await kit.startWorker();
    const metrics = await kit.startListeners();
    const order = orderCreatedData(600);
    await kit.publish('order:created', order);
    await waitFor(() => kit.queue.getJob(order.id), { what: 'timer armed' });

    const payment = await kit.publish('payment:created', { id: randomUUID(), orderId: order.id, stripeId: 'pi_test' });
    await kit.redeliver(payment);
    await waitFor(async () => ((await handledOutcomes(metrics)).processed ?? 0) >= 2, { what: 'payment handled' });
    expect(await kit.queue.getJob(order.id)).toBeUndefined();

    await sleep(Date.parse(order.expiresAt) - Date.now() + 400);
    expect(kit.received).toEqual([]);
  });
});
