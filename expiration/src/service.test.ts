import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningService } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { expirationEventId } from './expiration-complete.publisher';
import { startExpirationService } from './service';
import { createExpirationTestKit, orderCreatedData, type ExpirationTestKit } from './testing/expiration-test-kit';

let kit: ExpirationTestKit;
let service: RunningService | undefined;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await kit.destroy();
});

describe('expiration service', () => {
  it('turns order:created into expiration:complete and drops the timer of a completed order', async () => {
    service = await startExpirationService(kit.config);
    const ready = await fetch(`http://127.0.0.1:${service.port}/readyz`);
    expect(ready.status).toBe(200);

    const expiring = orderCreatedData(300);
    const paid = orderCreatedData(300);
    await kit.publish('order:created', expiring);
    await kit.publish('order:created', paid);
    await kit.publish('order:completed', { id: paid.id, version: 1, userId: paid.userId, paymentId: randomUUID(), ticket: paid.ticket });

    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete' });
    await sleep(500);
    expect(kit.received.map((r) => r.envelope)).toEqual([
      { id: expirationEventId(expiring.id), type: 'expiration:complete', occurredAt: expiring.expiresAt, data: { orderId: expiring.id } },
    ]);
  });

  it('keeps pending timers across a restart of the whole service', async () => {
    service = await startExpirationService(kit.config);
    const order = orderCreatedData(1_000);
    await kit.publish('order:created', order);
    await waitFor(() => kit.queue.getJob(order.id), { what: 'timer armed' });
    await service.stop();

    service = await startExpirationService(kit.config);
    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete after the restart' });
    expect(kit.received[0]!.envelope.data.orderId).toBe(order.id);
  });

  it('fails to start, leaving nothing running, when Redis is unreachable', async () => {
    await expect(startExpirationService({ ...kit.config, REDIS_URL: 'redis://127.0.0.1:1' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
