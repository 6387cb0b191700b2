import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { outboxEvents, sessionCookie, waitFor } from '@microtick/common/testing';
import { signatureHeader, type WebhookDelivery } from '@microtick/stripe-emulator';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { payments, stripeEvents } from '../db/schema';
import { insertOrder, usePaymentsFixture, TEST_WEBHOOK_SECRET } from '../test-support';

/** Stripe's asynchronous path, offline: the emulator signs and sends webhooks to the real route. */
const fx = usePaymentsFixture();
let server: Server;
beforeAll(async () => {
  server = fx.app().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  fx.emulator.state.webhooks.endpoint = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/payments/webhook`, secret: TEST_WEBHOOK_SECRET };
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const paymentOf = async (id: string) => (await fx.database.db.select().from(payments).where(eq(payments.id, id)))[0]!;
const deliveries = async () => (await (await fetch(`${fx.emulator.url}/__emulator/webhook_events`)).json()) as WebhookDelivery[];
const postEvent = (body: string, signature?: string) => {
  const req = request(server).post('/api/payments/webhook').set('Content-Type', 'application/json');
  return (signature === undefined ? req : req.set('Stripe-Signature', signature)).send(body);
};

async function awaitingCustomer() {
  const order = await insertOrder(fx.database);
  const res = await request(server).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token: 'tok_threeDSecure2Required' });
  expect(res.body).toMatchObject({ status: 'requires_action', clientSecret: expect.any(String) });
  return { order, payment: res.body as { id: string; stripeId: string } };
}

describe('POST /api/payments/webhook', () => {
  it('authorizes a payment once the customer completed the extra step, and stages payment:created then', async () => {
    const { order, payment } = await awaitingCustomer();
    expect(await outboxEvents(fx.database.db)).toEqual([]);

    // What Stripe.js does in the buyer's browser after the 3-D Secure challenge.
    await fx.stripe.paymentIntents.confirm(payment.stripeId);

    await waitFor(async () => (await paymentOf(payment.id)).status === 'authorized', { what: 'authorized by webhook' });
    expect(await paymentOf(payment.id)).toMatchObject({ authorizedAt: expect.any(Date), clientSecret: null });
    expect(await outboxEvents(fx.database.db)).toMatchObject([{ type: 'payment:created', data: { id: payment.id, orderId: order.id, stripeId: payment.stripeId, amount: 19.99 } }]);
  });

  it('applies an event id once: a redelivery changes nothing', async () => {
    const { payment } = await awaitingCustomer();
    await fx.stripe.paymentIntents.confirm(payment.stripeId);
    await waitFor(async () => (await paymentOf(payment.id)).status === 'authorized', { what: 'authorized by webhook' });
    const delivered = (await deliveries()).find((d) => d.event.type === 'payment_intent.amount_capturable_updated' && d.event.data.object.id === payment.stripeId)!;

    const body = JSON.stringify(delivered.event);
    const again = await postEvent(body, signatureHeader(body, TEST_WEBHOOK_SECRET));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, outcome: 'duplicate' });
    expect(await outboxEvents(fx.database.db)).toHaveLength(1);
    expect(await fx.database.db.select().from(stripeEvents).where(eq(stripeEvents.id, delivered.event.id))).toHaveLength(1);
  });

  it('marks the payment failed when the extra step fails; the order can then be paid with another card', async () => {
    const { order, payment } = await awaitingCustomer();
    const failed = await fetch(`${fx.emulator.url}/__emulator/payment_intents/${payment.stripeId}/fail_authentication`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_microtick_emulator' },
    });
    expect(failed.status).toBe(200);
    await waitFor(async () => (await paymentOf(payment.id)).status === 'failed', { what: 'failed by webhook' });

    const retry = await request(server).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token: 'tok_visa' });
    expect(retry.status).toBe(201);
    expect(retry.body.status).toBe('authorized');
  });

  it('refuses a missing, forged or stale signature with 400 in the error shape, changing nothing', async () => {
    const { payment } = await awaitingCustomer();
    const forged = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'payment_intent.amount_capturable_updated', data: { object: { id: payment.stripeId, object: 'payment_intent', metadata: {} } } });
    const cases: [string | undefined, string][] = [
      [undefined, 'Missing Stripe-Signature header'],
      [signatureHeader(forged, 'whsec_someone_else'), 'Invalid Stripe signature'],
      [signatureHeader(forged, TEST_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3_600), 'Invalid Stripe signature'],
      ['t=1,v1=deadbeef', 'Invalid Stripe signature'],
    ];
    for (const [signature, message] of cases) {
      const res = await postEvent(forged, signature);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ errors: [{ message }] });
    }
    expect(await paymentOf(payment.id)).toMatchObject({ status: 'requires_action' });
    expect(await fx.database.db.select().from(stripeEvents).where(eq(stripeEvents.id, 'evt_forged'))).toEqual([]);
  });
});
