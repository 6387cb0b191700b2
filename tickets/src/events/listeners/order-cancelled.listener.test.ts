import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@microtick/common';
import { countingWrites, outboxEvents, silentLogger, waitFor } from '@microtick/common/testing';
import { ordersReplica } from '../../db/schema';
import { orderCancelled } from './order-cancelled.listener';
import { orderCancelledData, orderCreatedData, readOrderReplica, readTicket, seedTicket, useTicketsDatabase, useTicketsListeners } from '../../test-support';

const database = useTicketsDatabase();
const listeners = useTicketsListeners(database);

async function setup() {
  const ticket = await seedTicket(database(), { title: 'Concert', priceCents: 1999 });
  const order = orderCreatedData(ticket);
  return { harness: listeners(), ticket, order };
}

const outbox = () => outboxEvents(database().db);

describe('order:cancelled', () => {
  it('puts the ticket held by the order back on sale, bumping its version and staging ticket:updated', async () => {
    const { harness, ticket, order } = await setup();
    await harness.publish('order:created', order);
    await harness.settled('order:created');
    await harness.publish('order:cancelled', orderCancelledData(order));
    await harness.settled('order:cancelled');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ ticketId: ticket.id, status: 'cancelled', version: 1 });
    expect((await outbox()).map((e) => e.data)).toEqual([
      { id: ticket.id, version: 1, title: 'Concert', price: 19.99, userId: ticket.userId, orderId: order.id },
      { id: ticket.id, version: 2, title: 'Concert', price: 19.99, userId: ticket.userId, orderId: null },
    ]);
  });

  it('changes nothing and publishes nothing new when the same event arrives twice', async () => {
    const { harness, ticket, order } = await setup();
    await harness.publish('order:created', order);
    const cancelled = await harness.publish('order:cancelled', orderCancelledData(order));
    await harness.settled('order:created');
    await harness.settled('order:cancelled');
    await harness.redeliver(cancelled);
    await harness.publish('order:cancelled', orderCancelledData(order)); // and a copy under a new event id
    await harness.settled('order:cancelled');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await outbox()).toHaveLength(2);
  });

  it('waits when it overtakes the creation of its order, so the ticket is not left locked', async () => {
    const { harness, ticket, order } = await setup();
    await harness.publish('order:cancelled', orderCancelledData(order));
    await harness.heldBack('order:cancelled');
    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 0 });
    expect(await readOrderReplica(database(), order.id)).toBeUndefined();
    expect(await outbox()).toEqual([]);

    await harness.publish('order:created', order);
    await harness.settled('order:created');
    await harness.settled('order:cancelled');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect((await outbox()).map((e) => e.data)).toMatchObject([{ version: 1, orderId: order.id }, { version: 2, orderId: null }]);
  });

  it('releases the ticket when its creation commits while the cancellation waits for the ticket lock', async () => {
    // The cancellation's first statement locks the ticket and applies the replica change; that
    // change looks with the snapshot taken before the lock wait, so it misses the replica row the
    // creation commits meanwhile. The handler must still apply the cancellation and release the ticket.
    const { harness, ticket, order } = await setup();
    const creation = await database().pool.connect();
    try {
      await creation.query('begin');
      await creation.query('select 1 from tickets where id = $1 for update', [ticket.id]);
      await creation.query(`insert into orders_replica (id, ticket_id, status, version) values ($1, $2, 'created', 0)`, [order.id, ticket.id]);
      await creation.query('update tickets set order_id = $1, version = version + 1 where id = $2', [order.id, ticket.id]);
      await harness.publish('order:cancelled', orderCancelledData(order));
      await waitFor(async () => (await database().pool.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows.length === 1, {
        what: 'the cancellation to wait for the ticket lock',
      });
      await creation.query('commit');
    } finally {
      creation.release();
    }
    await harness.settled('order:cancelled');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 2 });
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect((await outbox()).map((e) => e.data)).toMatchObject([{ version: 2, orderId: null }]);
  });

  it('releases the ticket only if this order still holds it', async () => {
    const { harness } = await setup();
    // Events alone cannot get here (an order only applies while the ticket is free), so the
    // state is written directly: we know order X, but the ticket is held by order Y.
    const heldByOther = randomUUID();
    const ticket = await seedTicket(database(), { orderId: heldByOther, version: 5 });
    const order = orderCreatedData(ticket);
    await database().db.insert(ordersReplica).values({ id: order.id, ticketId: ticket.id, status: 'created', version: 0 });

    await harness.publish('order:cancelled', orderCancelledData(order));
    await harness.settled('order:cancelled');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: heldByOther, version: 5 });
    expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outbox()).toEqual([]);
  });

  describe('cancellations arriving together (handleBatch)', () => {
    const envelopes = (cancellations: ReturnType<typeof orderCancelledData>[]): EventEnvelope<'order:cancelled'>[] =>
      cancellations.map((data) => ({ id: randomUUID(), type: 'order:cancelled', occurredAt: new Date().toISOString(), data }));
    const handleTogether = (cancellations: ReturnType<typeof orderCancelledData>[]) =>
      database().db.transaction((tx) => orderCancelled.handleBatch!(envelopes(cancellations), { tx, logger: silentLogger }, []));
    /** A ticket held by a new order, as order:created leaves it. */
    async function heldTicket(title: string) {
      const ticket = await seedTicket(database(), { title, priceCents: 1999 });
      const order = orderCreatedData(ticket);
      await database().db.insert(ordersReplica).values({ id: order.id, ticketId: ticket.id, status: 'created', version: 0 });
      await database().pool.query('update tickets set order_id = $1, version = 1 where id = $2', [order.id, ticket.id]);
      return { ticket, order };
    }

    it('releases the tickets their orders hold in one statement, staging the same ticket:updated as one by one', async () => {
      const held = [await heldTicket('First'), await heldTicket('Second')];
      // A ticket held by another order: the replica learns of the cancellation, the ticket stays held.
      const other = randomUUID();
      const elsewhere = await seedTicket(database(), { orderId: other, version: 5 });
      const stale = orderCreatedData(elsewhere);
      await database().db.insert(ordersReplica).values({ id: stale.id, ticketId: elsewhere.id, status: 'created', version: 0 });

      await database().pool.query('select 1');
      const { writes } = await countingWrites(() => handleTogether([orderCancelledData(held[0]!.order), orderCancelledData(stale), orderCancelledData(held[1]!.order)]), {
        toPort: Number(new URL(database().url).port || 5432),
      });

      // BEGIN with the statement; both ticket:updated with COMMIT.
      expect(writes).toBe(2);
      for (const { ticket, order } of held) {
        expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 2 });
        expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'cancelled', version: 1 });
      }
      expect(await readTicket(database(), elsewhere.id)).toMatchObject({ orderId: other, version: 5 });
      expect(await readOrderReplica(database(), stale.id)).toMatchObject({ status: 'cancelled', version: 1 });
      expect((await outbox()).map((e) => e.data)).toEqual(
        held.map(({ ticket }) => ({ id: ticket.id, version: 2, title: ticket.title, price: 19.99, userId: ticket.userId, orderId: null })),
      );
    });

    it('throws, changing nothing, when one of them overtook its order\'s creation (the runner then handles each alone)', async () => {
      const held = await heldTicket('Held');
      const early = orderCreatedData(await seedTicket(database()));
      await expect(handleTogether([orderCancelledData(held.order), orderCancelledData(early)])).rejects.toThrow();
      expect(await readTicket(database(), held.ticket.id)).toMatchObject({ orderId: held.order.id, version: 1 });
      expect(await outbox()).toEqual([]);
    });

    it('applies two cancellations of one ticket in order', async () => {
      const { ticket, order } = await heldTicket('Twice');
      // An earlier order of the same ticket, not yet known as cancelled here.
      const earlier = orderCreatedData(ticket);
      await database().db.insert(ordersReplica).values({ id: earlier.id, ticketId: ticket.id, status: 'created', version: 0 });
      await handleTogether([orderCancelledData(earlier), orderCancelledData(order)]);
      expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 2 });
      expect(await readOrderReplica(database(), earlier.id)).toMatchObject({ status: 'cancelled', version: 1 });
      expect(await readOrderReplica(database(), order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    });

    it('through the runner: a burst of cancellations releases every ticket, one that overtook its creation included', async () => {
      const held = [await heldTicket('A'), await heldTicket('B'), await heldTicket('C')];
      const late = orderCreatedData(await seedTicket(database()));
      const harness = listeners();
      await Promise.all([...held.map(({ order }) => order), late].map((order) => harness.publish('order:cancelled', orderCancelledData(order))));
      await waitFor(async () => (await Promise.all(held.map(({ ticket }) => readTicket(database(), ticket.id)))).every((t) => t.orderId === null), { what: 'the held tickets released' });
      await harness.publish('order:created', late);
      await harness.settled('order:created', 'order:cancelled');
      expect(await readTicket(database(), late.ticket.id)).toMatchObject({ orderId: null, version: 2 });
      expect(await readOrderReplica(database(), late.id)).toMatchObject({ status: 'cancelled', version: 1 });
    });
  });
});
