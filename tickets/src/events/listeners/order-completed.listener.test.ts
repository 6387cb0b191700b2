import { randomUUID } from 'node:crypto';
import { outboxEvents } from '@microtick/common/testing';
import { seedTicket, useTicketsDatabase } from '../../test-support';
import { orderCreatedData, startTicketsHarness } from './listener-test-support';

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
  const completed = { id: order.id, version: 1, userId: order.userId, paymentId: randomUUID(), ticket: order.ticket };
  return { events, harness: events.harness, ticket, order, completed };
}

describe('order:completed', () => {
  it('records the ticket as sold: the order replica is complete and the ticket stays held, nothing published', async () => {
    const { events, harness, ticket, order, completed } = await setup();
    await harness.publish('order:created', order);
    await events.allHandled('order:created');
    const event = await harness.publish('order:completed', completed);
    await events.allHandled('order:completed');
    await harness.redeliver(event);
    await events.allHandled('order:completed');

    expect(await events.readOrderReplica(order.id)).toEqual({ id: order.id, ticketId: ticket.id, status: 'complete', version: 1 });
    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: order.id, version: 1 });
    expect(await outboxEvents(database().db)).toHaveLength(1); // only the reservation's ticket:updated
  });

  it('waits for the order creation it overtook', async () => {
    const { events, harness, ticket, order, completed } = await setup();
    await harness.publish('order:completed', completed);
    await events.retrying('order:completed');
    await harness.publish('order:created', order);
    await events.allHandled('order:created');
    await events.allHandled('order:completed');
    expect(await events.readOrderReplica(order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await events.readTicket(ticket.id)).toMatchObject({ orderId: order.id });
  });
});
