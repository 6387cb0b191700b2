import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { cardTokenParams, rejectionOf, useEmulator } from './test-support';
import { signatureHeader, type WebhookDelivery } from './webhooks';

const fx = useEmulator();

const authorize = (stripe: Stripe, token = 'tok_visa', amount = 1999) => stripe.paymentIntents.create({ ...cardTokenParams(token, amount), capture_method: 'manual' });

describe('manual capture', () => {
  it('authorizes without taking the money: requires_capture, amount_capturable, an uncaptured charge', async () => {
    const { key, stripe } = fx.account();
    const intent = await authorize(stripe);
    expect(intent).toMatchObject({ status: 'requires_capture', capture_method: 'manual', amount_capturable: 1999, amount_received: 0 });
    expect(await fx.charges(key)).toMatchObject([{ paymentIntentId: intent.id, amount: 1999, captured: false, amountCaptured: 0, voided: false }]);
  });

  it('captures an authorization once; a second capture is refused like Stripe does', async () => {
    const { key, stripe } = fx.account();
    const intent = await authorize(stripe);
    const captured = await stripe.paymentIntents.capture(intent.id);
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 1999, amount_capturable: 0 });
    expect(await fx.charges(key)).toMatchObject([{ captured: true, amountCaptured: 1999, refunded: false }]);

    const again = await rejectionOf(stripe.paymentIntents.capture(intent.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ code: 'payment_intent_unexpected_state' });
    // With the same idempotency key, a retried capture replays the first answer instead.
    const key1 = await stripe.paymentIntents.capture((await authorize(stripe)).id, {}, { idempotencyKey: 'cap-1' });
    const replay = await stripe.paymentIntents.capture(key1.id, {}, { idempotencyKey: 'cap-1' });
    expect(replay.status).toBe('succeeded');
  });

  it('cancels (voids) an authorization: the hold is released, nothing was taken, and it cannot be captured after', async () => {
    const { key, stripe } = fx.account();
    const intent = await authorize(stripe);
    const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0, amount_received: 0 });
    expect(typeof canceled.canceled_at).toBe('number');
    expect(await fx.charges(key)).toMatchObject([{ captured: false, amountCaptured: 0, voided: true, refunded: true }]);
    expect(await rejectionOf(stripe.paymentIntents.capture(intent.id))).toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  it('refuses to cancel a captured intent and to refund an uncaptured one', async () => {
    const { stripe } = fx.account();
    const intent = await authorize(stripe);
    expect(await rejectionOf(stripe.refunds.create({ payment_intent: intent.id }))).toMatchObject({ code: 'charge_not_refundable' });
    await stripe.paymentIntents.capture(intent.id);
    expect(await rejectionOf(stripe.paymentIntents.cancel(intent.id))).toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  it('declines an authorization like a charge (402, requires_payment_method)', async () => {
    const { key, stripe } = fx.account();
    const err = await rejectionOf(authorize(stripe, 'tok_chargeDeclined'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(await fx.charges(key)).toEqual([]);
  });
});

describe('a card that asks for 3-D Secure (tok_threeDSecure2Required)', () => {
  it('stops in requires_action with next_action; confirming again (the customer authenticated) authorizes it', async () => {
    const { key, stripe } = fx.account();
    const intent = await authorize(stripe, 'tok_threeDSecure2Required');
    expect(intent).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' }, latest_charge: null });
    expect(await fx.charges(key)).toEqual([]);

    const confirmed = await stripe.paymentIntents.confirm(intent.id);
    expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 1999, next_action: null });
    expect(await fx.charges(key)).toMatchObject([{ paymentIntentId: intent.id, captured: false }]);
  });

  it('can be cancelled while it waits for the customer', async () => {
    const { stripe } = fx.account();
    const intent = await authorize(stripe, 'tok_threeDSecure2Required');
    expect((await stripe.paymentIntents.cancel(intent.id)).status).toBe('canceled');
  });
});

describe('webhooks', () => {
  /** A receiver that verifies every delivery with the SDK, as the payments service does. */
  async function receiver(secret: string, options: { failFirst?: number } = {}) {
    const verifier = new Stripe('sk_test_verifier');
    const received: Stripe.Event[] = [];
    let failures = options.failFirst ?? 0;
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          res.writeHead(500).end();
          return;
        }
        try {
          received.push(verifier.webhooks.constructEvent(Buffer.concat(chunks), req.headers['stripe-signature'] ?? '', secret));
          res.writeHead(200).end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const configure = (body: object) => fx.request('/__emulator/webhook_endpoint', { method: 'POST', key: null, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await configure({ url, secret })).status).toBe(200);
    return {
      received,
      close: async () => {
        await configure({});
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  const waitUntil = async (probe: () => boolean) => {
    for (let i = 0; i < 400 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(probe()).toBe(true);
  };

  it('signs every event so that the SDK verifies it, and follows the intent through its states', async () => {
    const hook = await receiver('whsec_test_secret');
    try {
      const { stripe } = fx.account();
      const pending = await authorize(stripe, 'tok_threeDSecure2Required');
      await stripe.paymentIntents.confirm(pending.id);
      await stripe.paymentIntents.capture(pending.id);
      await rejectionOf(authorize(stripe, 'tok_chargeDeclined'));
      const voided = await authorize(stripe);
      await stripe.paymentIntents.cancel(voided.id);

      await waitUntil(() => hook.received.length === 6);
      const types = hook.received.map((event) => `${event.type}:${(event.data.object as Stripe.PaymentIntent).id}`);
      expect(types).toHaveLength(6);
      expect(types).toEqual(
        expect.arrayContaining([
          `payment_intent.requires_action:${pending.id}`,
          `payment_intent.amount_capturable_updated:${pending.id}`,
          `payment_intent.succeeded:${pending.id}`,
          `payment_intent.amount_capturable_updated:${voided.id}`,
          `payment_intent.canceled:${voided.id}`,
          expect.stringMatching(/^payment_intent\.payment_failed:pi_/),
        ]),
      );
      for (const event of hook.received) expect(event.id).toMatch(/^evt_/);
    } finally {
      await hook.close();
    }
  });

  it('retries a delivery the endpoint failed, and a wrong secret does not verify', async () => {
    const hook = await receiver('whsec_right', { failFirst: 2 });
    try {
      const { stripe } = fx.account();
      await authorize(stripe);
      await waitUntil(() => hook.received.length === 1);
      const deliveries = (await (await fx.request('/__emulator/webhook_events', { key: null })).json()) as WebhookDelivery[];
      expect(deliveries.find((d) => d.event.id === hook.received[0]!.id)).toMatchObject({ attempts: 3, delivered: true });
    } finally {
      await hook.close();
    }
    const verifier = new Stripe('sk_test_verifier');
    const payload = JSON.stringify({ id: 'evt_1', object: 'event' });
    expect(() => verifier.webhooks.constructEvent(payload, signatureHeader(payload, 'whsec_other'), 'whsec_right')).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('fails an abandoned 3-D Secure step with payment_intent_authentication_failure', async () => {
    const { key, stripe } = fx.account();
    const intent = await authorize(stripe, 'tok_threeDSecure2Required');
    const res = await fx.request(`/__emulator/payment_intents/${intent.id}/fail_authentication`, { method: 'POST', key });
    expect(res.status).toBe(200);
    const failed = await stripe.paymentIntents.retrieve(intent.id);
    expect(failed).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'payment_intent_authentication_failure' } });
  });
});
