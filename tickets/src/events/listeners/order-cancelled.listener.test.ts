import { randomUUID } from 'node:crypto';
import { outboxEvents } from '@microtick/common/testing';
import { orderReplicas } from '../../db/schema';
import { seedTicket, useTicketsDatabase } from '../../test-support';
import { orderCancelledData, orderCreatedData, startTicketsHarness } from './listener-test-support';

const database = useTicketsDatabase();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup() {
  const events = await startTicketsHarness(database());
  stops.push(() => events.harness.stop());
  const ticket = await seedTicket(database(), { title: 'Concert', priceCents: 1999 });
  const order = orderCreatedData(ticket);
  return { events, harness: events.harness, ticket, order };
}

const outbox = () => outboxEvents(database().db);

describe('order:cancelled', () => {
  it('puts the ticket held by the order back on sale, bumping its version and staging ticket:updated', async () => {
    const { events, harness, ticket, order } = await setup();
    await harness.publish('order:created', order);
    await events.allHandled('order:created');
    await harness.publish('order:cancelled', orderCancelledData(order));
    await events.allHandled('order:cancelled');

    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await events.readOrderReplica(order.id)).toEqual({ id: order.id, ticketId: ticket.id, status: 'cancelled', version: 1 });
    expect((await outbox()).map((e) => e.data)).toEqual([
      { id: ticket.id, version: 1, title: 'Concert', price: 19.99, userId: ticket.userId, orderId: order.id },
      { id: ticket.id, version: 2, title: 'Concert', price: 19.99, userId: ticket.userId, orderId: null },
    ]);
  });

  it('changes nothing and publishes nothing new when the same event arrives twice', async () => {
    const { events, harness, ticket, order } = await setup();
    await harness.publish('order:created', order);
    const cancelled = await harness.publish('order:cancelled', orderCancelledData(order));
    await events.allHandled('order:created');
    await events.allHandled('order:cancelled');
    await harness.redeliver(cancelled);
    await harness.publish('order:cancelled', orderCancelledData(order)); // and a copy under a new event id
    await events.allHandled('order:cancelled');

    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await outbox()).toHaveLength(2);
  });

  it('waits when it overtakes the creation of its order, so the ticket is not left locked', async () => {
    const { events, harness, ticket, order } = await setup();
    await harness.publish('order:cancelled', orderCancelledData(order));
    await events.retrying('order:cancelled');
    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: null, version: 0 });
    expect(await events.readOrderReplica(order.id)).toBeUndefined();
    expect(await outbox()).toEqual([]);

    await harness.publish('order:created', order);
    await events.allHandled('order:created');
    await events.allHandled('order:cancelled');

    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await events.readOrderReplica(order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect((await outbox()).map((e) => e.data)).toMatchObject([{ version: 1, orderId: order.id }, { version: 2, orderId: null }]);
  });

  it('releases the ticket only if this order still holds it', async () => {
    const { events, harness } = await setup();
    // Events alone cannot get here (an order only applies while the ticket is free), so the
    // state is written directly: we know order X, but the ticket is held by order Y.
    const heldByOther = randomUUID();
    const ticket = await seedTicket(database(), { orderId: heldByOther, version: 5 });
    const order = orderCreatedData(ticket);
    await database().db.insert(orderReplicas).values({ id: order.id, ticketId: ticket.id, status: 'created', version: 0 });

    await harness.publish('order:cancelled', orderCancelledData(order));
    await events.allHandled('order:cancelled');

    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: heldByOther, version: 5 });
    expect(await events.readOrderReplica(order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outbox()).toEqual([]);
  });
});
