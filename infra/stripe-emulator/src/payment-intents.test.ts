import Stripe from 'stripe';
import { cardTokenParams, rejectionOf, useEmulator } from './test-support';

const fx = useEmulator();

describe('creating and confirming a PaymentIntent', () => {
  it('charges a test token (tok_visa) and records one charge', async () => {
    const { key, stripe } = fx.account();
    const intent = await stripe.paymentIntents.create(cardTokenParams('tok_visa'));

    expect(intent).toMatchObject({
      object: 'payment_intent',
      amount: 1999,
      amount_received: 1999,
      currency: 'usd',
      status: 'succeeded',
      livemode: false,
      metadata: { orderId: 'order-1' },
      last_payment_error: null,
    });
    expect(intent.id).toMatch(/^pi_/);
    expect(intent.latest_charge).toMatch(/^ch_/);
    expect(intent.payment_method).toMatch(/^pm_/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
    expect(typeof intent.created).toBe('number');
    expect(intent.lastResponse.requestId).toMatch(/^req_/);

    expect(await fx.charges(key)).toEqual([
      {
        id: intent.latest_charge,
        paymentIntentId: intent.id,
        amount: 1999,
        currency: 'usd',
        metadata: { orderId: 'order-1' },
        created: expect.any(Number),
        amountRefunded: 0,
        refunded: false,
        captured: true,
        amountCaptured: 1999,
        voided: false,
      },
    ]);
  });

  it('charges a test PaymentMethod (pm_card_visa) with allowed_payment_method_types', async () => {
    const { stripe } = fx.account();
    const intent = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'EUR',
      confirm: true,
      payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'],
      description: 'Ticket',
      expand: ['latest_charge', 'payment_method'],
    });

    expect(intent).toMatchObject({ status: 'succeeded', currency: 'eur', description: 'Ticket' });
    expect(intent.automatic_payment_methods).toBeNull();
    expect(intent.allowed_payment_method_types).toEqual(['card']);
    expect(intent.latest_charge).toMatchObject({ object: 'charge', status: 'succeeded', paid: true, amount: 500 });
    expect(intent.payment_method).toMatchObject({ object: 'payment_method', card: { brand: 'visa', last4: '4242' } });
  });

  it.each(['tok_mastercard', 'pm_card_mastercard'])('charges %s', async (card) => {
    const { stripe } = fx.account();
    const params = card.startsWith('tok_')
      ? cardTokenParams(card)
      : { ...cardTokenParams(card), payment_method_data: undefined, payment_method: card };
    const intent = await stripe.paymentIntents.create({ ...params, expand: ['payment_method'] });
    expect(intent.status).toBe('succeeded');
    expect(intent.payment_method).toMatchObject({ card: { brand: 'mastercard', last4: '4444' } });
  });

  it.each(['payment_method_types[0]=card', 'payment_method_types[]=card'])(
    'parses the raw bracket form %s with nested metadata and payment_method_data',
    async (types) => {
      const key = fx.newKey();
      const body = [
        'amount=2500',
        'currency=usd',
        'confirm=true',
        types,
        'payment_method_data[type]=card',
        'payment_method_data[card][token]=tok_visa',
        'metadata[orderId]=order-42',
        'metadata[userId]=user-7',
      ].join('&');
      const res = await fx.request('/v1/payment_intents', {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'succeeded',
        amount: 2500,
        payment_method_types: ['card'],
        automatic_payment_methods: null,
        metadata: { orderId: 'order-42', userId: 'user-7' },
      });
    },
  );

  it('without confirm leaves the intent for confirmation, then confirms it', async () => {
    const { key, stripe } = fx.account();
    const pending = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      allowed_payment_method_types: ['card'],
    });
    expect(pending).toMatchObject({ status: 'requires_confirmation', amount_received: 0, latest_charge: null });

    const bare = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(bare).toMatchObject({ status: 'requires_payment_method', payment_method: null });
    expect(await fx.charges(key)).toEqual([]);

    const confirmed = await stripe.paymentIntents.confirm(pending.id);
    expect(confirmed).toMatchObject({ id: pending.id, status: 'succeeded', amount_received: 1000 });

    const again = await rejectionOf(stripe.paymentIntents.confirm(pending.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ code: 'payment_intent_unexpected_state', statusCode: 400 });
    expect(await fx.charges(key)).toHaveLength(1);
  });

  it('like real Stripe, refuses to confirm with redirect-capable automatic payment methods and no return_url', async () => {
    const { stripe } = fx.account();
    const error = await rejectionOf(
      stripe.paymentIntents.create({ amount: 1000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Stripe.errors.StripeError).message).toMatch(/return_url/);

    const ok = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
      return_url: 'http://localhost/return',
    });
    expect(ok.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'always' });
    expect(ok.status).toBe('succeeded');
  });
});

describe('declines', () => {
  it.each([
    ['tok_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['tok_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.'],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
  ])('%s throws StripeCardError %s/%s and charges nothing', async (card, code, declineCode, message) => {
    const { key, stripe } = fx.account();
    const params = card.startsWith('tok_')
      ? cardTokenParams(card)
      : { amount: 1999, currency: 'usd', confirm: true, payment_method: card, allowed_payment_method_types: ['card'] };

    const error = await rejectionOf(stripe.paymentIntents.create(params));

    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const cardError = error as Stripe.errors.StripeCardError;
    expect(cardError).toMatchObject({ statusCode: 402, code, decline_code: declineCode, message, rawType: 'card_error' });
    expect(cardError.requestId).toMatch(/^req_/);
    const intent = cardError.payment_intent;
    expect(intent).toMatchObject({ status: 'requires_payment_method', amount_received: 0, payment_method: null });
    expect(intent?.last_payment_error).toMatchObject({ type: 'card_error', code, decline_code: declineCode, message });
    expect(intent?.latest_charge).toMatch(/^ch_/);

    const stored = await stripe.paymentIntents.retrieve(intent?.id ?? '', { expand: ['latest_charge'] });
    expect(stored).toMatchObject({ status: 'requires_payment_method', latest_charge: { status: 'failed' } });
    expect(await fx.charges(key)).toEqual([]);
  });

  it.each([
    ['tok_chargeDeclinedLostCard', 'card_declined', 'lost_card', undefined],
    ['tok_chargeDeclinedStolenCard', 'card_declined', 'stolen_card', undefined],
    ['tok_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'exp_month'],
    ['tok_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc', 'cvc'],
    ['tok_chargeDeclinedProcessingError', 'processing_error', 'processing_error', undefined],
  ])('%s is declined with %s/%s', async (token, code, declineCode, param) => {
    const { stripe } = fx.account();
    const error = await rejectionOf(stripe.paymentIntents.create(cardTokenParams(token)));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, code, decline_code: declineCode, param });
  });

  it('a declined intent stays payable with another card', async () => {
    const { key, stripe } = fx.account();
    const error = await rejectionOf(stripe.paymentIntents.create(cardTokenParams('tok_chargeDeclined')));
    const id = (error as Stripe.errors.StripeCardError).payment_intent?.id ?? '';

    const paid = await stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe('succeeded');
    expect(await fx.charges(key)).toHaveLength(1);
  });

  it('rejects an unknown token as a missing resource, not a decline', async () => {
    const { stripe } = fx.account();
    const error = await rejectionOf(stripe.paymentIntents.create(cardTokenParams('tok_nope')));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      message: "No such token: 'tok_nope'",
      param: 'payment_method_data[card][token]',
    });

    const unknownMethod = await rejectionOf(
      stripe.paymentIntents.create({ amount: 999, currency: 'usd', payment_method: 'pm_nope' }),
    );
    expect(unknownMethod).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_method' });

    const tokenAsMethod = await rejectionOf(
      stripe.paymentIntents.create({ amount: 999, currency: 'usd', payment_method: 'tok_visa' }),
    );
    expect(tokenAsMethod).toMatchObject({
      statusCode: 400,
      param: 'payment_method',
      message: expect.stringMatching(/^A token may not be passed in as a PaymentMethod/),
    });
  });
});

describe('validation', () => {
  it.each([
    [{ amount: undefined }, 'amount', 'parameter_missing', 'Missing required param: amount.'],
    [{ amount: '19.99' }, 'amount', 'parameter_invalid_integer', 'Invalid integer: 19.99'],
    [{ amount: 'abc' }, 'amount', 'parameter_invalid_integer', 'Invalid integer: abc'],
    [{ amount: 0 }, 'amount', undefined, 'This value must be greater than or equal to 1.'],
    [{ amount: -5 }, 'amount', undefined, 'This value must be greater than or equal to 1.'],
    [{ amount: 10 }, 'amount', 'amount_too_small', 'Amount must be at least $0.50 usd'],
    [{ amount: 1000, currency: undefined }, 'currency', 'parameter_missing', 'Missing required param: currency.'],
    [{ amount: 1000, currency: 'xyz' }, 'currency', undefined, expect.stringMatching(/^Invalid currency: xyz/)],
    [{ amount: 1000, orderId: 'x' }, 'orderId', 'parameter_unknown', 'Received unknown parameter: orderId'],
  ])('%j → 400 on %s', async (overrides, param, code, message) => {
    const { stripe } = fx.account();
    const params = { currency: 'usd', ...overrides } as unknown as Stripe.PaymentIntentCreateParams;
    const error = await rejectionOf(stripe.paymentIntents.create(params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error', param, code, message });
  });

  it('answers malformed requests in the Stripe error shape, never HTML', async () => {
    const res = await fx.request('/v1/payment_intents', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=1000&currency=usd&metadata=plain',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({ error: { type: 'invalid_request_error', message: 'Invalid object', param: 'metadata' } });
  });
});

describe('authentication', () => {
  it('without a key answers 401, which the SDK raises as StripeAuthenticationError', async () => {
    const res = await fx.request('/v1/payment_intents', { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^You did not provide an API key/);

    const error = await rejectionOf(fx.client('sk_live_123456789').paymentIntents.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error).toMatchObject({ statusCode: 401, message: 'Invalid API Key provided: sk_live_*****6789' });
  });
});

describe('retrieving and listing', () => {
  it('retrieves by id, and 404s an unknown id or another account’s intent', async () => {
    const { stripe } = fx.account();
    const created = await stripe.paymentIntents.create(cardTokenParams('tok_visa'));
    const fetched = await stripe.paymentIntents.retrieve(created.id);
    expect(fetched).toEqual({ ...created });

    for (const [client, id] of [
      [stripe, 'pi_unknown'],
      [fx.client(fx.newKey()), created.id],
    ] as const) {
      const error = await rejectionOf(client.paymentIntents.retrieve(id));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', message: `No such payment_intent: '${id}'` });
    }
  });

  it('lists newest first with limit, has_more and cursors', async () => {
    const { stripe } = fx.account();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await stripe.paymentIntents.create(cardTokenParams('tok_visa', 1000 + i))).id);
    const [first, second, third] = ids;

    const page = await stripe.paymentIntents.list({ limit: 2 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/payment_intents' });
    expect(page.data.map((intent) => intent.id)).toEqual([third, second]);

    const next = await stripe.paymentIntents.list({ limit: 2, starting_after: second });
    expect(next.data.map((intent) => intent.id)).toEqual([first]);
    expect(next.has_more).toBe(false);

    const previous = await stripe.paymentIntents.list({ limit: 1, ending_before: first });
    expect(previous.data.map((intent) => intent.id)).toEqual([second]);
    expect(previous.has_more).toBe(true);

    const all = await stripe.paymentIntents.list();
    expect(all.data).toHaveLength(3);
    expect(all.has_more).toBe(false);

    const tooMany = await rejectionOf(stripe.paymentIntents.list({ limit: 101 }));
    expect(tooMany).toMatchObject({ statusCode: 400, param: 'limit' });
  });
});

describe('inspection endpoints', () => {
  it('lists successful charges of all accounts, or one with a key, and resets', async () => {
    const a = fx.account();
    const b = fx.account();
    await a.stripe.paymentIntents.create(cardTokenParams('tok_visa', 700));
    await b.stripe.paymentIntents.create(cardTokenParams('tok_mastercard', 800));
    await rejectionOf(b.stripe.paymentIntents.create(cardTokenParams('tok_chargeDeclined')));

    expect((await fx.charges(a.key)).map((charge) => charge.amount)).toEqual([700]);
    expect((await fx.charges(b.key)).map((charge) => charge.amount)).toEqual([800]);
    const everything = (await fx.charges()).map((charge) => charge.amount);
    expect(everything).toEqual(expect.arrayContaining([700, 800]));

    const reset = await fx.request('/__emulator/reset', { method: 'POST', key: a.key });
    expect(await reset.json()).toEqual({ reset: true });
    expect(await fx.charges(a.key)).toEqual([]);
    expect(await fx.charges(b.key)).toHaveLength(1);
    expect((await a.stripe.paymentIntents.list()).data).toEqual([]);
  });

  it('answers an unknown URL with Stripe’s 404', async () => {
    const res = await fx.request('/v1/customers');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        message:
          'Unrecognized request URL (GET: /v1/customers). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
      },
    });
  });
});
