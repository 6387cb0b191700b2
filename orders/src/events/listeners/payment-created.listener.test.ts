import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEnvelope } from '@microtick/common';
import { outboxEvents, waitFor } from '@microtick/common/testing';
import { insertOrder, insertTicket, raceOnOrder, readOrder, useOrdersListeners, waitUntilSettled } from '../../test-fixtures';

const { database, harness } = useOrdersListeners();

async function pay(order: { id: string }) {
  const event = await harness().publish('payment:created', { id: randomUUID(), orderId: order.id, stripeId: `pi_${randomUUID()}` });
  await waitUntilSettled(harness(), event);
  return event;
}

describe('payment:created', () => {
  it.each(['created', 'awaiting:payment'] as const)('completes a %s order, bumping its version without publishing', async (status) => {
    const order = await insertOrder(database().db, await insertTicket(database().db), { status });
    await pay(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  it('applies a delivery that arrives twice only once', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db));
    const event = await pay(order);
    await harness().redeliver(event);
    await waitUntilSettled(harness(), event);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
  });

  it('leaves a cancelled order cancelled (payments refunds that charge)', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db), { status: 'cancelled', version: 1 });
    await pay(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  describe('racing an expiration for the same order', () => {
    const payFor = (orderId: string) => () => harness().publish('payment:created', { id: randomUUID(), orderId, stripeId: `pi_${randomUUID()}` });
    const expireFor = (orderId: string) => () => harness().publish('expiration:complete', { orderId });

    it('completes the order when the payment comes first; the expiration waits for it, then does nothing', async () => {
      const order = await insertOrder(database().db, await insertTicket(database().db));
      // The payment is held on the order's row; the expiration published after it must not
      // overtake it (it waits for the payment consumer instead of queueing on the row).
      let expiration: EventEnvelope | undefined;
      const [payment] = await raceOnOrder<EventEnvelope>(database(), order.id, [payFor(order.id)], async () => {
        expiration = await expireFor(order.id)();
        await sleep(300);
      });
      await waitUntilSettled(harness(), payment!);
      await waitUntilSettled(harness(), expiration!);
      expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
      expect(await outboxEvents(database().db)).toEqual([]);
    });

    it('cancels the order when the expiration writes first; the payment then does nothing', async () => {
      const order = await insertOrder(database().db, await insertTicket(database().db));
      const events = await raceOnOrder<EventEnvelope>(database(), order.id, [expireFor(order.id), payFor(order.id)]);
      for (const event of events) await waitUntilSettled(harness(), event);
      expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
      expect(await outboxEvents(database().db)).toMatchObject([{ type: 'order:cancelled', data: { id: order.id, version: 1 } }]);
    });
  });
});
