import Stripe from 'stripe';
import { cardTokenParams, rejectionOf, useEmulator } from './test-support';

const fx = useEmulator();

async function setup(amount = 1999) {
  const { key, stripe } = fx.account();
  const intent = await stripe.paymentIntents.create(cardTokenParams('tok_visa', amount));
  return { key, stripe, intent };
}

describe('POST /v1/refunds', () => {
  it('refunds a PaymentIntent in full and shows the charge as refunded', async () => {
    const { key, stripe, intent } = await setup();

    const refund = await stripe.refunds.create({ payment_intent: intent.id, reason: 'requested_by_customer', metadata: { orderId: 'order-1' } });

    expect(refund).toMatchObject({
      object: 'refund',
      amount: 1999,
      currency: 'usd',
      payment_intent: intent.id,
      charge: intent.latest_charge,
      status: 'succeeded',
      reason: 'requested_by_customer',
      metadata: { orderId: 'order-1' },
    });
    expect(refund.id).toMatch(/^re_/);
    expect(await fx.charges(key)).toMatchObject([{ paymentIntentId: intent.id, amountRefunded: 1999, refunded: true }]);
    const charge = (await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] })).latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ amount_refunded: 1999, refunded: true });
  });

  it('refunds in parts, up to the amount charged', async () => {
    const { key, stripe, intent } = await setup(1000);

    expect((await stripe.refunds.create({ payment_intent: intent.id, amount: 300 })).amount).toBe(300);
    expect(await fx.charges(key)).toMatchObject([{ amountRefunded: 300, refunded: false }]);
    const tooMuch = await rejectionOf(stripe.refunds.create({ payment_intent: intent.id, amount: 701 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch).toMatchObject({ param: 'amount', message: 'Refund amount ($7.01 usd) is greater than unrefunded amount on charge ($7.00 usd)' });
    expect((await stripe.refunds.create({ payment_intent: intent.id })).amount).toBe(700);
    expect(await fx.charges(key)).toMatchObject([{ amountRefunded: 1000, refunded: true }]);
  });

  it('replays the first refund for the same Idempotency-Key and refunds once', async () => {
    const { key, stripe, intent } = await setup(1000);
    const first = await stripe.refunds.create({ payment_intent: intent.id, amount: 400 }, { idempotencyKey: 'refund-order-1' });
    const second = await stripe.refunds.create({ payment_intent: intent.id, amount: 400 }, { idempotencyKey: 'refund-order-1' });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(await fx.charges(key)).toMatchObject([{ amountRefunded: 400 }]);

    const reused = await rejectionOf(stripe.refunds.create({ payment_intent: intent.id, amount: 500 }, { idempotencyKey: 'refund-order-1' }));
    expect(reused).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('refuses a second full refund with charge_already_refunded', async () => {
    const { stripe, intent } = await setup();
    await stripe.refunds.create({ payment_intent: intent.id });
    const again = await rejectionOf(stripe.refunds.create({ payment_intent: intent.id }));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ code: 'charge_already_refunded', message: `Charge ${intent.latest_charge} has already been refunded.` });
  });

  it('refuses a PaymentIntent without a successful charge, an unknown one, and none at all', async () => {
    const { stripe } = await setup();
    const declined = (await rejectionOf(stripe.paymentIntents.create(cardTokenParams('tok_chargeDeclined')))) as Stripe.errors.StripeCardError;

    const notCharged = await rejectionOf(stripe.refunds.create({ payment_intent: declined.payment_intent!.id }));
    expect(notCharged).toMatchObject({ code: 'charge_not_refundable', param: 'payment_intent' });
    const unknown = await rejectionOf(stripe.refunds.create({ payment_intent: 'pi_unknown' }));
    expect(unknown).toMatchObject({ code: 'resource_missing', statusCode: 400, message: "No such payment_intent: 'pi_unknown'" });
    const missing = await rejectionOf(stripe.refunds.create({}));
    expect(missing).toMatchObject({ code: 'parameter_missing' });
  });

  it("cannot refund another account's PaymentIntent", async () => {
    const { intent } = await setup();
    const other = fx.client(fx.newKey());
    expect(await rejectionOf(other.refunds.create({ payment_intent: intent.id }))).toMatchObject({ code: 'resource_missing' });
  });

  it('refuses parameters it does not model, and an unknown reason', async () => {
    const { key, stripe, intent } = await setup();
    const byCharge = await rejectionOf(stripe.refunds.create({ charge: intent.latest_charge as string }));
    expect(byCharge).toMatchObject({ code: 'parameter_unknown', param: 'charge' });
    // The SDK's types only allow the three reasons, so this one goes in by hand.
    const badReason = await fx.request('/v1/refunds', {
      key,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `payment_intent=${intent.id}&reason=because`,
    });
    expect(badReason.status).toBe(400);
    expect(await badReason.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'reason' } });
    expect(await fx.charges(key)).toMatchObject([{ refunded: false }]);
  });
});
