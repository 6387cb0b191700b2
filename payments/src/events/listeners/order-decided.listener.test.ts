import { randomUUID } from 'node:crypto';
import { waitFor } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import { ordersReplica } from '../../db/schema';
import { SETTLE_CHANNEL } from '../../payments/settle-payment';
import { usePaymentsFixture, usePaymentsListeners } from '../../test-support';

/** order:completed and order:cancelled only record orders' decision in the replica (the settler acts on it). */
const fx = usePaymentsFixture();
const listeners = usePaymentsListeners(fx);

const created = () => ({
  id: randomUUID(),
  version: 0,
  status: 'created' as const,
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  ticket: { id: randomUUID(), price: 19.99 },
});
const replicaOf = async (id: string) => (await fx.database.db.select().from(ordersReplica).where(eq(ordersReplica.id, id)))[0];

describe('order:completed / order:cancelled in payments', () => {
  it('records the completion and the accepted payment once, even when it overtook the creation', async () => {
    const harness = listeners();
    const order = created();
    const paymentId = randomUUID();
    const completed = await harness.publish('order:completed', { id: order.id, version: 1, userId: order.userId, paymentId, ticket: order.ticket });
    await harness.publish('order:created', order);
    await waitFor(async () => (await replicaOf(order.id))?.status === 'complete', { what: 'completion applied' });
    await harness.redeliver(completed);
    await harness.settled('order:completed');
    expect(await replicaOf(order.id)).toMatchObject({ status: 'complete', version: 1, completedByPaymentId: paymentId });
  });

  it('records a cancellation once; a later duplicate changes nothing', async () => {
    const harness = listeners();
    const order = created();
    await harness.publish('order:created', order);
    const cancelled = await harness.publish('order:cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    await waitFor(async () => (await replicaOf(order.id))?.status === 'cancelled', { what: 'cancellation applied' });
    await harness.redeliver(cancelled);
    await harness.settled('order:cancelled');
    expect(await replicaOf(order.id)).toMatchObject({ status: 'cancelled', version: 1, completedByPaymentId: null });
  });

  describe("waking the settlers on a cancellation (they void what it holds; their poll is only the safety net)", () => {
    /** Collects the settler NOTIFYs of this database for the duration of `run`. */
    async function settleNotifications(run: () => Promise<void>): Promise<string[]> {
      const seen: string[] = [];
      const listening = await fx.database.pool.connect();
      const onNotification = (message: pg.Notification) => seen.push(message.payload ?? '');
      listening.on('notification', onNotification);
      try {
        await listening.query(`listen ${SETTLE_CHANNEL}`);
        await run();
        await listening.query('select 1'); // a round trip after the commit: its NOTIFY has arrived
      } finally {
        listening.off('notification', onNotification);
        await listening.query(`unlisten ${SETTLE_CHANNEL}`);
        listening.release();
      }
      return seen;
    }

    it('does not wake them for an order that has no payment', async () => {
      const harness = listeners();
      const order = created();
      await harness.publish('order:created', order);
      await harness.settled('order:created');
      const seen = await settleNotifications(async () => {
        await harness.publish('order:cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
        await harness.settled('order:cancelled');
      });
      expect(seen).toEqual([]);
      expect(await replicaOf(order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    });

    it('wakes them for a payment whose authorization commits while the cancellation waits for the order row', async () => {
      const harness = listeners();
      const order = created();
      await harness.publish('order:created', order);
      await harness.settled('order:created');
      const seen = await settleNotifications(async () => {
        // As recordAuthorization does: the order row locked, the authorization inserted, then commit.
        const recording = await fx.database.pool.connect();
        try {
          await recording.query('begin');
          await recording.query('select 1 from orders_replica where id = $1 for update', [order.id]);
          await recording.query(`insert into payments (order_id, stripe_id, amount_cents, status, authorized_at) values ($1, $2, 1999, 'authorized', now())`, [order.id, `pi_${randomUUID()}`]);
          await harness.publish('order:cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
          await waitFor(async () => (await fx.database.pool.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows.length === 1, {
            what: 'the cancellation to wait for the order row',
          });
          await recording.query('commit');
        } finally {
          recording.release();
        }
        await harness.settled('order:cancelled');
      });
      expect(seen).toEqual([order.id]);
    });
  });
});
