import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventEnvelope } from '@microtick/common';
import { outboxEvents, waitFor } from '@microtick/common/testing';
import { insertOrder, insertTicket, raceOnOrder, readOrder, useOrdersListeners } from '../../test-support';

const { database, harness } = useOrdersListeners();

const authorized = (orderId: string) => ({ id: randomUUID(), orderId, stripeId: `pi_${randomUUID()}`, amount: 20, authorizedAt: new Date().toISOString() });

async function pay(order: { id: string }) {
  const event = await harness().publish('payment:created', authorized(order.id));
  await harness().settled(event.type);
  return event;
}

describe('payment:created', () => {
  it.each(['created', 'awaiting:payment'] as const)('completes a %s order and publishes order:completed with the new version, in one transaction', async (status) => {
    const ticket = await insertTicket(database().db, { priceCents: 2_000 });
    const order = await insertOrder(database().db, ticket, { status });
    const event = await pay(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await outboxEvents(database().db)).toMatchObject([
      { type: 'order:completed', data: { id: order.id, version: 1, userId: order.userId, paymentId: event.data.id, ticket: { id: ticket.id, price: 20 } } },
    ]);
  });

  it('applies a delivery that arrives twice only once', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db));
    const event = await pay(order);
    await harness().redeliver(event);
    await harness().settled(event.type);
    // A second authorization (a new event) for the decided order changes nothing either.
    await pay(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await outboxEvents(database().db)).toHaveLength(1);
  });

  it('leaves a cancelled order cancelled and publishes nothing (payments voids that authorization)', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db), { status: 'cancelled', version: 1 });
    await pay(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  describe('racing an expiration for the same order', () => {
    const payFor = (orderId: string) => () => harness().publish('payment:created', authorized(orderId));
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
      await harness().settled(payment!.type);
      await harness().settled(expiration!.type);
      expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
      expect(await outboxEvents(database().db)).toMatchObject([{ type: 'order:completed', data: { id: order.id, version: 1 } }]);
    });

    it('cancels the order when the expiration writes first; the payment then does nothing', async () => {
      const order = await insertOrder(database().db, await insertTicket(database().db));
      const events = await raceOnOrder<EventEnvelope>(database(), order.id, [expireFor(order.id), payFor(order.id)]);
      for (const event of events) await harness().settled(event.type);
      expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
      expect(await outboxEvents(database().db)).toMatchObject([{ type: 'order:cancelled', data: { id: order.id, version: 1 } }]);
    });
  });
});
