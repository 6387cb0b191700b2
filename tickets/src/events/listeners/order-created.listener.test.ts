import { randomUUID } from 'node:crypto';
import { outboxEvents, silentLogger, waitFor } from '@microtick/common/testing';
import { orderCancelledData, orderCreatedData, readOrderReplica, readTicket, seedTicket, useTicketsDatabase, useTicketsListeners } from '../../test-support';
import { orderCreated } from './order-created.listener';

const database = useTicketsDatabase();
const listeners = useTicketsListeners(database);

async function setup() {
  const ticket = await seedTicket(database(), { title: 'Concert', priceCents: 1999 });
  return { harness: listeners(), ticket };
}

const outbox = () => outboxEvents(database().db);
/** Each staged ticket:updated as `holder@version`. */
const stagedHolds = async () => (await outbox()).map(({ data }) => data as { orderId: string | null; version: number }).map((data) => `${data.orderId}@${data.version}`).sort();

describe('order:created', () => {
  it('locks the ticket for the order, bumps its version and stages ticket:updated in the same transaction', async () => {
    const { harness, ticket } = await setup();
    const order = orderCreatedData(ticket);
    await harness.publish('order:created', order);
    await harness.settled('order:created');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: order.id, version: 1, title: 'Concert', priceCents: 1999 });
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ ticketId: ticket.id, status: 'created', version: 0 });
    expect(await outbox()).toMatchObject([
      { type: 'ticket:updated', data: { id: ticket.id, version: 1, orderId: order.id, title: 'Concert', price: 19.99, userId: ticket.userId } },
    ]);
  });

  it('changes nothing and publishes nothing new when the same event arrives twice', async () => {
    const { harness, ticket } = await setup();
    const envelope = await harness.publish('order:created', orderCreatedData(ticket));
    await harness.settled('order:created');
    await harness.redeliver(envelope);
    await harness.settled('order:created');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: envelope.data.id, version: 1 });
    expect(await outbox()).toHaveLength(1);
  });

  it('ignores a copy of the order under another event id: that version is already applied', async () => {
    const { harness, ticket } = await setup();
    const order = orderCreatedData(ticket);
    await harness.publish('order:created', order);
    await harness.settled('order:created');
    await harness.publish('order:created', order);
    await harness.settled('order:created');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: order.id, version: 1 });
    expect(await outbox()).toHaveLength(1);
  });

  it('waits while an earlier order still holds the ticket, then takes it once that order is cancelled', async () => {
    const { harness, ticket } = await setup();
    const earlier = orderCreatedData(ticket);
    await harness.publish('order:created', earlier);
    await harness.settled('order:created');

    // Orders cancelled `earlier` before accepting `later`, but that news travels on another consumer.
    const later = orderCreatedData(ticket);
    await harness.publish('order:created', later);
    await harness.heldBack('order:created');
    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: earlier.id, version: 1 });
    expect(await readOrderReplica(database(), later.id)).toBeUndefined();

    await harness.publish('order:cancelled', orderCancelledData(earlier));
    await harness.settled('order:cancelled');
    await harness.settled('order:created');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: later.id, version: 3 });
    expect(await readOrderReplica(database(), earlier.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await readOrderReplica(database(), later.id)).toMatchObject({ status: 'created', version: 0 });
    expect((await outbox()).map((e) => e.data)).toMatchObject([
      { version: 1, orderId: earlier.id },
      { version: 2, orderId: null },
      { version: 3, orderId: later.id },
    ]);
  });

  it('fails, rather than silently drops, an order for a ticket this service does not have', async () => {
    const { ticket } = await setup();
    const data = { ...orderCreatedData(ticket), ticket: { id: randomUUID(), price: 5 } };
    const envelope = { id: randomUUID(), type: 'order:created' as const, occurredAt: new Date().toISOString(), data };
    await expect(database().db.transaction((tx) => orderCreated.handle(envelope, { tx, logger: silentLogger }, { streamSequence: 1, firstSeenAt: Date.now(), caughtUpWith: async () => true }))).rejects.toThrow(/does not exist/);
  });

  it('takes the ticket that the previous holder releases while it waits for the ticket lock, in the same delivery', async () => {
    // The lock and the replica insert are one statement; the insert must see the ticket as the
    // releasing transaction left it (free), not as the statement's snapshot had it (held).
    const previous = randomUUID();
    const ticket = await seedTicket(database(), { orderId: previous, version: 3 });
    const harness = listeners();
    const order = orderCreatedData(ticket);
    const release = await database().pool.connect();
    try {
      await release.query('begin');
      await release.query('update tickets set order_id = null, version = version + 1 where id = $1', [ticket.id]);
      await harness.publish('order:created', order);
      await waitFor(async () => (await database().pool.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows.length === 1, {
        what: 'the creation to wait for the ticket lock',
      });
      await release.query('commit');
    } finally {
      release.release();
    }
    await harness.settled('order:created');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: order.id, version: 5 });
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'created', version: 0 });
    expect((await outbox()).map((e) => e.data)).toMatchObject([{ version: 5, orderId: order.id }]);
  });

  describe('a window of orders (handleBatch)', () => {
    const batchSizes = () => {
      const spy = jest.spyOn(orderCreated, 'handleBatch');
      return { sizes: () => spy.mock.calls.map(([events]) => events.length), restore: () => spy.mockRestore() };
    };

    it('holds each ticket for its order and stages each ticket:updated, the locking statements sent together', async () => {
      const batches = batchSizes();
      try {
        const tickets = await Promise.all(Array.from({ length: 8 }, (_, i) => seedTicket(database(), { title: `Seat ${i}` })));
        const harness = listeners();
        const created = tickets.map((ticket) => orderCreatedData(ticket));
        await Promise.all(created.map((order) => harness.publish('order:created', order)));
        await harness.settled('order:created');

        for (const [i, ticket] of tickets.entries()) {
          expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: created[i]!.id, version: 1 });
          expect(await readOrderReplica(database(), created[i]!.id)).toMatchObject({ ticketId: ticket.id, status: 'created', version: 0 });
        }
        expect(await stagedHolds()).toEqual(created.map((order) => `${order.id}@1`).sort());
        expect(batches.sizes().some((size) => size > 1)).toBe(true);
      } finally {
        batches.restore();
      }
    });

    it('handles two orders for one ticket one after the other: a copy under another event id is stale', async () => {
      const batches = batchSizes();
      try {
        const { harness, ticket } = await setup();
        const order = orderCreatedData(ticket);
        const other = await seedTicket(database(), { title: 'Other' });
        const otherOrder = orderCreatedData(other);
        await Promise.all([harness.publish('order:created', order), harness.publish('order:created', order), harness.publish('order:created', otherOrder)]);
        await harness.settled('order:created');

        expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: order.id, version: 1 });
        expect(await readTicket(database(), other.id)).toMatchObject({ orderId: otherOrder.id, version: 1 });
        expect(await stagedHolds()).toEqual([`${order.id}@1`, `${otherOrder.id}@1`].sort());
      } finally {
        batches.restore();
      }
    });

    it('rolls back a window with an order that must wait; the others are then held one by one and only that one waits', async () => {
      const { harness, ticket } = await setup();
      const earlier = orderCreatedData(ticket);
      await harness.publish('order:created', earlier);
      await harness.settled('order:created');

      const later = orderCreatedData(ticket);
      const others = await Promise.all([seedTicket(database(), { title: 'B' }), seedTicket(database(), { title: 'C' })]);
      const otherOrders = others.map((other) => orderCreatedData(other));
      await Promise.all([harness.publish('order:created', later), ...otherOrders.map((order) => harness.publish('order:created', order))]);
      await harness.heldBack('order:created');
      for (const [i, other] of others.entries()) expect(await readTicket(database(), other.id)).toMatchObject({ orderId: otherOrders[i]!.id, version: 1 });
      expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: earlier.id, version: 1 });

      await harness.publish('order:cancelled', orderCancelledData(earlier));
      await harness.settled('order:cancelled');
      await harness.settled('order:created');
      expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: later.id, version: 3 });
      // One ticket:updated per change: nothing staged by the rolled-back window survived it.
      expect(await stagedHolds()).toEqual([`${earlier.id}@1`, `null@2`, `${later.id}@3`, ...otherOrders.map((order) => `${order.id}@1`)].sort());
    });
  });
});
