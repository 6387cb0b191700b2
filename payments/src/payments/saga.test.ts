import { randomUUID } from 'node:crypto';
import { outboxEvents, sessionCookie, silentLogger, waitFor } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { ordersReplica, paymentAttempts, payments, type OrderReplica } from '../db/schema';
import { insertOrder, usePaymentsFixture, usePaymentsListeners } from '../test-support';
import { PaymentSettler } from './payment-settler';

/**
 * The saga's second half: payments follows orders' decision. Every authorization ends captured
 * (order complete) or voided (order cancelled); never captured twice, never refunded.
 */
const fx = usePaymentsFixture({ latencyMs: 300 }); // long enough for an order:cancelled to land mid-authorization
const listeners = usePaymentsListeners(fx);
let settler: PaymentSettler;
beforeEach(async () => {
  settler = new PaymentSettler({ db: fx.database.db, pool: fx.database.pool, stripe: fx.stripe, logger: silentLogger, pollIntervalMs: 60_000 });
  await settler.start();
});
afterEach(async () => {
  await settler.stop();
});

const pay = (order: OrderReplica, token = 'tok_visa') =>
  request(fx.app()).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token });
const paymentOf = async (id: string) => (await fx.database.db.select().from(payments).where(eq(payments.id, id)))[0]!;
const completed = (order: OrderReplica, paymentId: string) => ({ id: order.id, version: 1, userId: order.userId, paymentId, ticket: { id: randomUUID(), price: 19.99 } });
const cancelled = (order: OrderReplica) => ({ id: order.id, version: 1, ticket: { id: randomUUID() } });

describe('after orders decides', () => {
  it('captures the authorization orders completed the order with, exactly once', async () => {
    const order = await insertOrder(fx.database);
    const res = await pay(order);
    expect(res.body.status).toBe('authorized');

    const event = await listeners().publish('order:completed', completed(order, res.body.id));
    await waitFor(async () => (await paymentOf(res.body.id)).status === 'captured', { what: 'captured' });
    await listeners().redeliver(event);
    await listeners().settled('order:completed');
    await fx.settle();

    expect(await fx.charges(order.id)).toEqual([expect.objectContaining({ captured: true, amountCaptured: 1999, refunded: false, voided: false })]);
    expect(await paymentOf(res.body.id)).toMatchObject({ status: 'captured', settledAt: expect.any(Date) });
    expect((await pay(order)).body).toEqual({ errors: [{ message: 'Order is already paid' }] });
  });

  it('voids an authorization when orders cancelled the order: nothing taken, nothing refunded', async () => {
    const order = await insertOrder(fx.database);
    const res = await pay(order);
    await listeners().publish('order:cancelled', cancelled(order));
    await waitFor(async () => (await paymentOf(res.body.id)).status === 'voided', { what: 'voided' });
    expect(await fx.charges(order.id)).toEqual([expect.objectContaining({ captured: false, voided: true, amountCaptured: 0 })]);
  });

  it('voids an authorization that finished after the cancellation landed, and tells the buyer the card was not charged', async () => {
    const order = await insertOrder(fx.database);
    const paying = pay(order).then((r) => r);
    // Stripe is answering (300 ms) once the attempt is on record: the cancellation commits meanwhile.
    await waitFor(async () => (await fx.database.db.select().from(paymentAttempts)).length === 1, { what: 'authorization under way' });
    await listeners().publish('order:cancelled', cancelled(order));
    await waitFor(async () => (await fx.database.db.select().from(ordersReplica).where(eq(ordersReplica.id, order.id)))[0]?.status === 'cancelled', { what: 'cancelled' });

    const res = await paying;
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Order has expired; your card was not charged' }] });
    await waitFor(async () => (await fx.charges(order.id))[0]?.voided === true, { what: 'voided at Stripe' });
    expect(await fx.database.db.select().from(payments)).toMatchObject([{ status: 'voided' }]);
    // orders already decided: no payment:created for it.
    expect(await outboxEvents(fx.database.db)).toEqual([]);
  });

  it('cancels a PaymentIntent still waiting for the customer when the order is cancelled', async () => {
    const order = await insertOrder(fx.database);
    const res = await pay(order, 'tok_threeDSecure2Required');
    expect(res.body.status).toBe('requires_action');
    await listeners().publish('order:cancelled', cancelled(order));
    await waitFor(async () => (await paymentOf(res.body.id)).status === 'voided', { what: 'voided' });
    expect((await fx.stripe.paymentIntents.retrieve(res.body.stripeId)).status).toBe('canceled');
  });

  it('voids an authorization of a complete order that orders did not complete it with', async () => {
    const order = await insertOrder(fx.database, { status: 'complete', version: 1, completedByPaymentId: randomUUID() });
    // Unreachable through the route's guards; the settler still never keeps a second hold.
    const intent = await fx.stripe.paymentIntents.create({
      amount: 1999, currency: 'usd', confirm: true, capture_method: 'manual', payment_method: 'pm_card_visa',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' }, metadata: { orderId: order.id },
    });
    const [stray] = await fx.database.db.insert(payments).values({ orderId: order.id, stripeId: intent.id, amountCents: 1999, status: 'authorized', authorizedAt: new Date() }).returning();
    expect(await fx.settle()).toEqual(['voided']);
    expect(await paymentOf(stray!.id)).toMatchObject({ status: 'voided' });
  });
});
