import Stripe from 'stripe';
import { cardTokenParams, rejectionOf, useEmulator } from './test-support';

describe('Idempotency-Key', () => {
  const fx = useEmulator();

  it('replays the first response for the same key and parameters, charging once', async () => {
    const { key, stripe } = fx.account();
    const first = await stripe.paymentIntents.create(cardTokenParams('tok_visa'), { idempotencyKey: 'order-1' });
    const second = await stripe.paymentIntents.create(cardTokenParams('tok_visa'), { idempotencyKey: 'order-1' });

    expect(second).toEqual(first);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(second.lastResponse.requestId).not.toBe(first.lastResponse.requestId);
    expect(await fx.charges(key)).toHaveLength(1);
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('replays a decline too, without a second attempt', async () => {
    const { stripe } = fx.account();
    const params = cardTokenParams('tok_chargeDeclinedInsufficientFunds');
    const first = (await rejectionOf(stripe.paymentIntents.create(params, { idempotencyKey: 'k' }))) as Stripe.errors.StripeCardError;
    const second = (await rejectionOf(stripe.paymentIntents.create(params, { idempotencyKey: 'k' }))) as Stripe.errors.StripeCardError;

    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second.payment_intent).toEqual(first.payment_intent);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('rejects the same key with other parameters', async () => {
    const { key, stripe } = fx.account();
    await stripe.paymentIntents.create(cardTokenParams('tok_visa', 1000), { idempotencyKey: 'order-2' });
    const error = await rejectionOf(
      stripe.paymentIntents.create(cardTokenParams('tok_visa', 2000), { idempotencyKey: 'order-2' }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({
      statusCode: 400,
      rawType: 'idempotency_error',
      message: expect.stringMatching(
        /^Keys for idempotent requests can only be used with the same parameters they were first used with\./,
      ),
    });
    expect(await fx.charges(key)).toHaveLength(1);
  });

  it('does not save a request rejected by validation, so a corrected retry goes through', async () => {
    const { stripe } = fx.account();
    const bad = { ...cardTokenParams('tok_visa'), amount: 10 };
    await expect(stripe.paymentIntents.create(bad, { idempotencyKey: 'fix-me' })).rejects.toMatchObject({
      code: 'amount_too_small',
    });
    const fixed = await stripe.paymentIntents.create(cardTokenParams('tok_visa'), { idempotencyKey: 'fix-me' });
    expect(fixed.status).toBe('succeeded');
  });

  it('scopes keys per API key', async () => {
    const a = fx.account();
    const b = fx.account();
    const fromA = await a.stripe.paymentIntents.create(cardTokenParams('tok_visa', 1000), { idempotencyKey: 'same' });
    const fromB = await b.stripe.paymentIntents.create(cardTokenParams('tok_visa', 3000), { idempotencyKey: 'same' });
    expect(fromB.id).not.toBe(fromA.id);
    expect(fromB.amount).toBe(3000);
  });

  it('ignores the key on reads', async () => {
    const { stripe } = fx.account();
    const intent = await stripe.paymentIntents.create(cardTokenParams('tok_visa'), { idempotencyKey: 'read' });
    const fetched = await stripe.paymentIntents.retrieve(intent.id, {}, { idempotencyKey: 'read' });
    expect(fetched.id).toBe(intent.id);
  });
});

describe('Idempotency-Key under concurrency (latency knob)', () => {
  const fx = useEmulator({ latencyMs: 300 });

  it('answers 409 idempotency_key_in_use while the first request is in flight', async () => {
    const key = fx.newKey();
    const stripe = fx.client(key, { maxNetworkRetries: 0 });
    const params = cardTokenParams('tok_visa');

    const results = await Promise.allSettled([
      stripe.paymentIntents.create(params, { idempotencyKey: 'race' }),
      stripe.paymentIntents.create(params, { idempotencyKey: 'race' }),
    ]);

    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(Stripe.errors.StripeError);
    expect(rejected[0]).toMatchObject({
      statusCode: 409,
      rawType: 'idempotency_error',
      code: 'idempotency_key_in_use',
    });
    expect(await fx.charges(key)).toHaveLength(1);
  });

  it('charges once when the SDK retries the 409 (its default), both callers getting the same intent', async () => {
    const key = fx.newKey();
    const stripe = fx.client(key);
    const params = cardTokenParams('tok_visa');

    const intents = await Promise.all(
      Array.from({ length: 5 }, () => stripe.paymentIntents.create(params, { idempotencyKey: 'race' })),
    );

    expect(new Set(intents.map((intent) => intent.id)).size).toBe(1);
    expect(await fx.charges(key)).toHaveLength(1);
  });

  it('without keys, concurrent requests are independent charges', async () => {
    const key = fx.newKey();
    const stripe = fx.client(key);
    await Promise.all([1, 2, 3].map(() => stripe.paymentIntents.create(cardTokenParams('tok_visa'))));
    expect(await fx.charges(key)).toHaveLength(3);
  });
});
