import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Delivery, EventEnvelope } from '@microtick/common';
import { countingWrites, outboxEvents, silentLogger, waitFor } from '@microtick/common/testing';
import { EXPIRATION_FAIRNESS_WAIT_MS } from '../../orders/expiry';
import { cancelOrderById, completeOrderById } from '../../orders/transitions';
import type { OrderRow } from '../../db/schema';
import { insertOrder, insertTicket, readOrder, useOrdersListeners } from '../../test-support';
import { expirationComplete } from './expiration-complete.listener';

const { database, harness } = useOrdersListeners();

async function expire(order: { id: string }) {
  const event = await harness().publish('expiration:complete', { orderId: order.id });
  await harness().settled(event.type);
  return event;
}

describe('expiration:complete', () => {
  it.each(['created', 'awaiting:payment'] as const)('cancels a %s order and publishes order:cancelled with the next version', async (status) => {
    const ticket = await insertTicket(database().db);
    const order = await insertOrder(database().db, ticket, { status });

    await expire(order);

    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toMatchObject([{ type: 'order:cancelled', data: { id: order.id, version: 1, ticket: { id: ticket.id } } }]);
  });

  it('applies a delivery that arrives twice only once', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db));
    const event = await expire(order);
    await harness().redeliver(event);
    await harness().settled(event.type);
    // A second expiration for the same order (a new event id) finds it cancelled: no-op as well.
    await expire(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toHaveLength(1);
  });

  it('leaves a complete order alone', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db), { status: 'complete', version: 1 });
    await expire(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  it('publishes nothing for an order that is already cancelled', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db), { status: 'cancelled', version: 1 });
    await expire(order);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  it('waits for a payment published before it, so a paid order is never cancelled', async () => {
    const ticket = await insertTicket(database().db);
    const orderId = randomUUID();
    // The payment reaches this service first but cannot be applied yet (the order row is not
    // there, so its handler fails and it comes back after a backoff): it is still pending when
    // the expiration, published after it, arrives.
    await harness().publish('payment:created', { id: randomUUID(), orderId, stripeId: 'pi_1', amount: 20, authorizedAt: new Date().toISOString() });
    await insertOrder(database().db, ticket, { id: orderId });
    const expiration = await harness().publish('expiration:complete', { orderId });

    await waitFor(async () => (await readOrder(database().db, orderId))?.status === 'complete', { what: 'payment applied' });
    await harness().settled(expiration.type);
    expect(await readOrder(database().db, orderId)).toMatchObject({ status: 'complete' });
    expect((await outboxEvents(database().db)).map((e) => e.type)).toEqual(['order:completed']);
  });

  it('never cancels a paid order whose payment arrived while the order row was being written, expiries arriving together included', async () => {
    // Wave 7's "fairness hole": the payment's handler ran while the order row was being inserted
    // (its UPDATE saw no row, its read then found it unpaid) and acknowledged the payment as
    // decided without completing the order; the expiries after it then cancelled the paid order.
    // Timing-dependent: about 1 run in 6 on a loaded machine before the fix.
    const { db } = database();
    const ticket = await insertTicket(db);
    const orderId = randomUUID();
    await harness().publish('payment:created', { id: randomUUID(), orderId, stripeId: 'pi_1', amount: 20, authorizedAt: new Date().toISOString() });
    await insertOrder(db, ticket, { id: orderId });
    const other = await insertOrder(db, await insertTicket(db));
    await Promise.all([harness().publish('expiration:complete', { orderId }), harness().publish('expiration:complete', { orderId: other.id })]);

    await waitFor(async () => (await readOrder(db, orderId))?.status !== 'created', { what: 'the paid order decided', timeoutMs: 15_000 });
    await harness().settled();
    expect(await readOrder(db, orderId)).toMatchObject({ status: 'complete' });
    expect(await readOrder(db, other.id)).toMatchObject({ status: 'cancelled' });
  }, 30_000);

  it('rolls back the cancels it sent early while earlier authorizations are not applied, expiries arriving together included', async () => {
    // An authorization for an order this service never heard of stays pending (as below), so
    // every expiry published after it is "not yet" for a while. Each one sends its cancel before
    // that answer is in (in a batch, with its savepoint): none of them may stay.
    await harness().publish('payment:created', { id: randomUUID(), orderId: randomUUID(), stripeId: 'pi_1', amount: 20, authorizedAt: new Date().toISOString() });
    const orders = [];
    for (let i = 0; i < 3; i++) orders.push(await insertOrder(database().db, await insertTicket(database().db)));
    await Promise.all(orders.map((order) => harness().publish('expiration:complete', { orderId: order.id })));
    await sleep(1_500);
    for (const order of orders) expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'created', version: 0 });
    expect(await outboxEvents(database().db)).toEqual([]);
    // Nothing is left locked: the rolled-back cancels released their rows.
    await database().pool.query(`select id from orders where id = any($1::uuid[]) for update nowait`, [orders.map((order) => order.id)]);
  });

  it('waits for earlier authorizations only for a while: a payment consumer that cannot catch up does not keep the order reserved', async () => {
    const ticket = await insertTicket(database().db);
    // An authorization for an order this service never heard of stays pending (failing, backing
    // off) far longer than the fairness wait; the expiration published after it cancels anyway.
    await harness().publish('payment:created', { id: randomUUID(), orderId: randomUUID(), stripeId: 'pi_1', amount: 20, authorizedAt: new Date().toISOString() });
    const order = await insertOrder(database().db, ticket);
    const started = Date.now();
    await harness().publish('expiration:complete', { orderId: order.id });
    await waitFor(async () => (await readOrder(database().db, order.id))?.status === 'cancelled', { what: 'cancelled', timeoutMs: 30_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(EXPIRATION_FAIRNESS_WAIT_MS - 1_000);
    expect(await outboxEvents(database().db)).toMatchObject([{ type: 'order:cancelled', data: { id: order.id, version: 1 } }]);
  }, 40_000);

  it('never cancels an order whose payment decision commits while the cancellation waits on its row', async () => {
    const { db, pool } = database();
    const order = await insertOrder(db, await insertTicket(db));
    let decided!: () => void;
    const rowLocked = new Promise<void>((resolve) => (decided = resolve));
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const paying = db.transaction(async (tx) => {
      await completeOrderById(tx, order.id, { id: randomUUID() });
      decided();
      await committing;
    });
    await rowLocked;
    // The expiry's single conditional UPDATE queues on the row the payment decision holds …
    const cancelling = db.transaction((tx) => cancelOrderById(tx, order.id));
    const blocked = async () =>
      (await pool.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")).rows[0]!.n;
    await waitFor(async () => (await blocked()) === 1, { what: 'the cancellation blocked on the order row' });
    commit();
    await paying;
    // … and re-checks its condition once the row is free: the order is paid, so nothing changes.
    expect(await cancelling).toMatchObject({ changed: false, order: { status: 'complete', version: 1 } });
    expect(await readOrder(db, order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect((await outboxEvents(db)).map((e) => e.type)).toEqual(['order:completed']);
  });

  it('sends the waiting-list lock with the cancel, in one write, and still offers the ticket to the first in line', async () => {
    const db = database().db;
    const ticket = await insertTicket(db);
    const order = await insertOrder(db, ticket);
    const waiting = randomUUID();
    await database().pool.query(`insert into waitlists (ticket_id, offer_window_seconds) values ($1, 300)`, [ticket.id]);
    await database().pool.query(`insert into waitlist_entries (ticket_id, user_id, position) values ($1, $2, 1)`, [ticket.id, waiting]);

    const { writes } = await countingWrites(() => db.transaction((tx) => cancelOrderById(tx, order.id)), { toPort: Number(new URL(database().url).port || 5432) });

    // BEGIN with the cancel and the lock; the first waiting entry; its offer's statement (the
    // waiting list's version); order:cancelled and order:waitlist-offered with COMMIT. Awaited one
    // by one the cancel and the lock were a write each, and each outbox insert one more.
    expect(writes).toBe(5);
    expect((await outboxEvents(db)).map((e) => e.type)).toEqual(['order:cancelled', 'order:waitlist-offered']);
    expect((await database().pool.query(`select user_id, status from waitlist_entries where ticket_id = $1`, [ticket.id])).rows).toEqual([{ user_id: waiting, status: 'offered' }]);
  });

  it('answers undefined for an order it does not know, and cancels nothing', async () => {
    expect(await database().db.transaction((tx) => cancelOrderById(tx, randomUUID()))).toBeUndefined();
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  describe('expiries arriving together (handleBatch)', () => {
    const envelopes = (orderIds: string[]): EventEnvelope<'expiration:complete'>[] =>
      orderIds.map((orderId) => ({ id: randomUUID(), type: 'expiration:complete', occurredAt: new Date().toISOString(), data: { orderId } }));
    const caughtUp = (streamSequence: number, answer = true): Delivery & { asked: () => number } => {
      let asked = 0;
      return { streamSequence, firstSeenAt: Date.now(), caughtUpWith: async () => (asked++, answer), asked: () => asked };
    };

    it('cancels the unpaid ones in one statement, leaves a paid or cancelled one alone, and asks the fairness question once, for the latest', async () => {
      const { db } = database();
      const unpaid = [await insertOrder(db, await insertTicket(db)), await insertOrder(db, await insertTicket(db), { status: 'awaiting:payment' })];
      const paid = await insertOrder(db, await insertTicket(db), { status: 'complete', version: 1 });
      const cancelled = await insertOrder(db, await insertTicket(db), { status: 'cancelled', version: 1 });
      const ids = [unpaid[0]!.id, paid.id, unpaid[1]!.id, cancelled.id];
      const deliveries = [caughtUp(7), caughtUp(9), caughtUp(8), caughtUp(5)];

      await database().pool.query('select 1');
      const { writes } = await countingWrites(() => db.transaction((tx) => expirationComplete.handleBatch!(envelopes(ids), { tx, logger: silentLogger }, deliveries)), {
        toPort: Number(new URL(database().url).port || 5432),
      });

      // BEGIN with the cancel and the waiting-list locks; the read of the two it left alone; both
      // order:cancelled with COMMIT. One by one: 3 writes per expiry.
      expect(writes).toBe(3);
      expect(deliveries.map((d) => d.asked())).toEqual([0, 1, 0, 0]);
      for (const order of unpaid) expect(await readOrder(db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
      expect(await readOrder(db, paid.id)).toMatchObject({ status: 'complete', version: 1 });
      expect(await readOrder(db, cancelled.id)).toMatchObject({ status: 'cancelled', version: 1 });
      expect((await outboxEvents(db)).map((e) => e.data)).toEqual(unpaid.map((order) => ({ id: order.id, version: 1, ticket: { id: order.ticketId } })));
    });

    it('throws, leaving everything for a retry one by one, when earlier authorizations are not applied or an order is unknown', async () => {
      const { db } = database();
      const order = await insertOrder(db, await insertTicket(db));
      await expect(db.transaction((tx) => expirationComplete.handleBatch!(envelopes([order.id]), { tx, logger: silentLogger }, [caughtUp(3, false)]))).rejects.toThrow(
        'letting earlier authorizations be decided first',
      );
      const unknown = randomUUID();
      await expect(
        db.transaction((tx) => expirationComplete.handleBatch!(envelopes([order.id, unknown]), { tx, logger: silentLogger }, [caughtUp(4), caughtUp(5)])),
      ).rejects.toThrow(`expiration for unknown orders ${unknown}`);
      expect(await readOrder(db, order.id)).toMatchObject({ status: 'created', version: 0 });
      expect(await outboxEvents(db)).toEqual([]);
    });

    it('through the runner: a burst with an expiry for an unknown order cancels the others; only that one is retried', async () => {
      const { db, pool } = database();
      const orders: OrderRow[] = [];
      for (let i = 0; i < 4; i++) orders.push(await insertOrder(db, await insertTicket(db)));
      // Two of the tickets have someone waiting: each gets its offer in the cancelling transaction.
      const waiting = [randomUUID(), randomUUID()];
      for (const [i, userId] of waiting.entries()) {
        await pool.query(`insert into waitlists (ticket_id, offer_window_seconds) values ($1, 300)`, [orders[i]!.ticketId]);
        await pool.query(`insert into waitlist_entries (ticket_id, user_id, position) values ($1, $2, 1)`, [orders[i]!.ticketId, userId]);
      }
      const unknown = randomUUID();
      const events = await Promise.all([...orders.map((order) => order.id), unknown].map((orderId) => harness().publish('expiration:complete', { orderId })));

      await waitFor(async () => (await Promise.all(orders.map((order) => readOrder(db, order.id)))).every((order) => order?.status === 'cancelled'), { what: 'the known ones cancelled' });
      await waitFor(async () => (await pool.query('select 1 from event_attempts where failures > 0')).rowCount === 1, { what: 'the unknown one failing' });
      const attempts = (await pool.query<{ event_id: string }>('select event_id from event_attempts')).rows;
      expect(attempts).toEqual([{ event_id: events[4]!.id }]);
      const offered = (await pool.query<{ user_id: string }>(`select user_id from waitlist_entries where status = 'offered' order by user_id`)).rows.map((row) => row.user_id);
      expect(offered).toEqual([...waiting].sort());
      expect((await outboxEvents(db)).filter((e) => e.type === 'order:cancelled')).toHaveLength(4);
    });
  });
});
