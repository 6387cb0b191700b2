import { outboxEvents, sessionCookie, startListenerHarness, waitFor } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { orders, paymentAttempts, payments } from '../db/schema';
import { paymentListeners } from '../events/listeners';
import { insertOrder, FIXTURE_TIMEOUT_MS, startPaymentsFixture, type PaymentsFixture } from '../test-support';

/**
 * A charge that starts before expiresAt can finish after orders has cancelled the order
 * (expiration:complete handled first). Whichever of the charge and the cancellation reaches our
 * database second sees the other and gives the money back.
 */
let fx: PaymentsFixture;
beforeAll(async () => {
  fx = await startPaymentsFixture({ latencyMs: 1_000 }); // long enough for order:cancelled to land mid-charge
}, FIXTURE_TIMEOUT_MS);
afterAll(() => fx.close());
beforeEach(() => fx.database.truncate());

it('refunds a charge whose order was cancelled while Stripe was charging it, and records no payment', async () => {
  const harness = await startListenerHarness({ service: 'payments', db: fx.database.db, listeners: paymentListeners({ stripe: fx.stripe }) });
  try {
    const order = await insertOrder(fx.database);
    const paying = request(fx.app()).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token: 'tok_visa' }).then((res) => res);

    await waitFor(async () => (await fx.database.db.select().from(paymentAttempts)).length === 1, { what: 'charge under way' });
    await harness.publish('order:cancelled', { id: order.id, version: 1, ticket: { id: order.id } });
    await waitFor(async () => (await fx.database.db.select().from(orders).where(eq(orders.id, order.id)))[0]?.status === 'cancelled', { what: 'cancelled' });

    const res = await paying;
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Order has expired; your card was not charged' }] });
    expect(await fx.charges(order.id)).toMatchObject([{ refunded: true, amountRefunded: 1999 }]);
    expect(await fx.database.db.select().from(payments)).toEqual([]);
    expect(await outboxEvents(fx.database.db)).toEqual([]);
    expect(await fx.database.db.select().from(paymentAttempts)).toMatchObject([{ status: 'refunded', stripeId: expect.stringMatching(/^pi_/) }]);
  } finally {
    await harness.stop();
  }
});

it('refunds a charge that completes after the payment deadline, even before any cancellation arrives', async () => {
  // Deadline = expiresAt - 5 s = now + 0.5 s; the emulator answers after 1 s.
  const order = await insertOrder(fx.database, { expiresAt: new Date(Date.now() + 5_500) });
  const res = await request(fx.app()).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token: 'tok_visa' });

  expect(res.status).toBe(400);
  expect(res.body).toEqual({ errors: [{ message: 'Order has expired; your card was not charged' }] });
  expect(await fx.charges(order.id)).toMatchObject([{ refunded: true }]);
  expect(await fx.database.db.select().from(payments)).toEqual([]);
  expect(await outboxEvents(fx.database.db)).toEqual([]);
});
