import { randomUUID } from 'node:crypto';
import { outboxEvents } from '@microtick/common/testing';
import { orderCreatedData, readOrderReplica, readTicket, seedTicket, useTicketsDatabase, useTicketsListeners } from '../../test-support';

const database = useTicketsDatabase();
const listeners = useTicketsListeners(database);

async function setup() {
  const ticket = await seedTicket(database(), { title: 'Concert', priceCents: 1999 });
  const order = orderCreatedData(ticket);
  const completed = { id: order.id, version: 1, userId: order.userId, paymentId: randomUUID(), ticket: order.ticket };
  return { harness: listeners(), ticket, order, completed };
}

describe('order:completed', () => {
  it('records the ticket as sold: the order replica is complete and the ticket stays held, nothing published', async () => {
    const { harness, ticket, order, completed } = await setup();
    await harness.publish('order:created', order);
    await harness.settled('order:created');
    const event = await harness.publish('order:completed', completed);
    await harness.settled('order:completed');
    await harness.redeliver(event);
    await harness.settled('order:completed');

    expect(await readOrderReplica(database(), order.id)).toMatchObject({ ticketId: ticket.id, status: 'complete', version: 1 });
    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: order.id, version: 1 });
    expect(await outboxEvents(database().db)).toHaveLength(1); // only the reservation's ticket:updated
  });

  it('waits for the order creation it overtook', async () => {
    const { harness, ticket, order, completed } = await setup();
    await harness.publish('order:completed', completed);
    await harness.heldBack('order:completed');
    await harness.publish('order:created', order);
    await harness.settled('order:created');
    await harness.settled('order:completed');
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: order.id });
  });
});
