import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderCreated } from '@microtick/common';
import { sessionCookie, startListenerHarness, waitFor, type ListenerHarness } from '@microtick/common/testing';
import { EmulatorState, startStripeEmulator } from '@microtick/stripe-emulator';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import type Stripe from 'stripe';
import { orders, payments } from '../../db/schema';
import { insertOrder, FIXTURE_TIMEOUT_MS, startPaymentsFixture, stripeClientFor, waitForIdle, type PaymentsFixture } from '../../test-support';
import { paymentListeners } from '.';

let fx: PaymentsFixture;
const stops: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  fx = await startPaymentsFixture();
}, FIXTURE_TIMEOUT_MS);
afterAll(() => fx.close());
beforeEach(() => fx.database.truncate());
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function setup(stripe: Stripe = fx.stripe): Promise<ListenerHarness> {
  const harness = await startListenerHarness({ service: 'payments', db: fx.database.db, listeners: paymentListeners({ stripe }) });
  stops.push(() => harness.stop());
  return harness;
}

const orderCreated = (): OrderCreated => ({
  id: randomUUID(),
  version: 0,
  status: 'created',
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  ticket: { id: randomUUID(), price: 19.99 },
});
const cancelled = (order: { id: string }, version = 1) => ({ id: order.id, version, ticket: { id: randomUUID() } });
const replicaOf = async (id: string) => (await fx.database.db.select().from(orders).where(eq(orders.id, id)))[0];
const paymentOf = async (orderId: string) => (await fx.database.db.select().from(payments).where(eq(payments.orderId, orderId)))[0];

async function pay(order: { id: string; userId: string }, stripe: Stripe = fx.stripe) {
  const res = await request(fx.app({ stripe }))
    .post('/api/payments')
    .set('Cookie', sessionCookie({ id: order.userId }))
    .send({ orderId: order.id, token: 'tok_visa' });
  expect(res.status).toBe(201);
}

describe('order:cancelled', () => {
  it('marks the order cancelled, after which it cannot be paid', async () => {
    const harness = await setup();
    const order = await insertOrder(fx.database);
    await harness.publish('order:cancelled', cancelled(order));

    await waitFor(async () => (await replicaOf(order.id))?.status === 'cancelled', { what: 'cancelled' });
    expect(await replicaOf(order.id)).toMatchObject({ version: 1 });
    const res = await request(fx.app()).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token: 'tok_visa' });
    expect(res.status).toBe(400);
  });

  it('holds back a cancellation that arrives before its order:created, then applies both in order', async () => {
    const harness = await setup();
    const created = orderCreated();
    await harness.publish('order:cancelled', cancelled(created));
    await sleep(300);
    expect(await replicaOf(created.id)).toBeUndefined();

    await harness.publish('order:created', created);
    await waitFor(async () => (await replicaOf(created.id))?.status === 'cancelled', { what: 'both applied' });
    expect(await replicaOf(created.id)).toMatchObject({ version: 1, priceCents: 1999 });
  });

  it('refunds a payment stored before the cancellation, once, however often the event comes', async () => {
    const harness = await setup();
    const order = await insertOrder(fx.database);
    await pay(order);

    const envelope = await harness.publish('order:cancelled', cancelled(order));
    const refunded = await waitFor(async () => (await paymentOf(order.id))?.refundedAt, { what: 'refund recorded' });
    await harness.redeliver(envelope);
    await harness.publish('order:cancelled', cancelled(order)); // same version, new event id: stale
    await waitForIdle(harness, 'order:cancelled');

    expect((await paymentOf(order.id))?.refundedAt).toEqual(refunded);
    expect(await fx.charges(order.id)).toMatchObject([{ refunded: true, amountRefunded: 1999 }]);
  });

  it('keeps retrying a refund while Stripe is down, and refunds once it is back', async () => {
    const state = new EmulatorState();
    const first = await startStripeEmulator({ port: 0, state });
    const stripe = stripeClientFor(first.url, 1_000);
    const harness = await setup(stripe);
    const order = await insertOrder(fx.database);
    await pay(order, stripe);

    await first.close();
    await harness.publish('order:cancelled', cancelled(order));
    await sleep(1_500);
    expect(await paymentOf(order.id)).toMatchObject({ refundedAt: null });
    // The cancellation rolled back with the failed refund, so the order is not marked either.
    expect(await replicaOf(order.id)).toMatchObject({ status: 'created', version: 0 });

    const second = await startStripeEmulator({ port: first.port, state });
    stops.push(() => second.close());
    await waitFor(async () => (await paymentOf(order.id))?.refundedAt, { what: 'refund after recovery', timeoutMs: 20_000 });
    expect(state.successfulCharges()).toMatchObject([{ refunded: true }]);
    expect(await replicaOf(order.id)).toMatchObject({ status: 'cancelled', version: 1 });
  }, 30_000);
});
