/**
 * Turning `payment_method` / `payment_method_data` into a PaymentMethod, as Stripe does when a
 * PaymentIntent is created or confirmed: a test PaymentMethod (`pm_card_visa`) or a test token
 * (`tok_visa`) becomes a fresh `pm_…` object; an existing `pm_…` of the account is reused.
 */
import { createHash } from 'node:crypto';
import { invalidRequest, resourceMissing } from './errors';
import { newId, unixNow } from './ids';
import { optionalObject, optionalString, rejectUnknownParams, requiredString, type FormObject } from './params';
import type { Account, StoredPaymentMethod } from './state';
import { testCardForPaymentMethod, testCardForToken, type TestCard } from './test-cards';

const PAYMENT_METHOD_DATA_PARAMS = new Set(['type', 'card', 'billing_details', 'metadata', 'allow_redisplay']);
const CARD_PARAMS = new Set(['token', 'number', 'exp_month', 'exp_year', 'cvc']);

function createPaymentMethod(account: Account, card: TestCard): StoredPaymentMethod {
  const stored: StoredPaymentMethod = {
    card,
    object: {
      id: newId('pm'),
      object: 'payment_method',
      billing_details: { address: null, email: null, name: null, phone: null },
      card: {
        brand: card.brand,
        country: 'US',
        exp_month: 12,
        exp_year: new Date().getUTCFullYear() + 3,
        fingerprint: createHash('sha256').update(`${card.brand}:${card.last4}`).digest('base64url').slice(0, 16),
        funding: card.funding,
        last4: card.last4,
      },
      created: unixNow(),
      customer: null,
      livemode: false,
      metadata: {},
      type: 'card',
    },
  };
  account.paymentMethods.set(stored.object.id, stored);
  return stored;
}

function fromId(account: Account, id: string): StoredPaymentMethod {
  const existing = account.paymentMethods.get(id);
  if (existing !== undefined) return existing;
  if (id.startsWith('tok_')) {
    throw invalidRequest(
      `A token may not be passed in as a PaymentMethod. Instead, use payment_method_data with type=card and card[token]=${id}.`,
      { param: 'payment_method' },
    );
  }
  const card = testCardForPaymentMethod(id);
  if (card === undefined) throw resourceMissing(`No such PaymentMethod: '${id}'`, 'payment_method');
  return createPaymentMethod(account, card);
}

function fromData(account: Account, data: FormObject): StoredPaymentMethod {
  rejectUnknownParams(data, PAYMENT_METHOD_DATA_PARAMS, new Set(), 'payment_method_data');
  const type = requiredString(data, 'type', 'payment_method_data[type]');
  if (type !== 'card') {
    throw invalidRequest(
      `The MicroTick Stripe emulator only supports card payment methods, not '${type}'.`,
      { param: 'payment_method_data[type]' },
    );
  }
  const card = optionalObject(data, 'card', 'payment_method_data[card]');
  if (card === undefined) {
    throw invalidRequest('Missing required param: payment_method_data[card].', {
      param: 'payment_method_data[card]',
      code: 'parameter_missing',
    });
  }
  rejectUnknownParams(card, CARD_PARAMS, new Set(), 'payment_method_data[card]');
  if (card.number !== undefined) {
    throw invalidRequest(
      'Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens that map to the test card you are using, see https://stripe.com/docs/testing.',
      { param: 'payment_method_data[card][number]' },
    );
  }
  const token = requiredString(card, 'token', 'payment_method_data[card][token]');
  const testCard = testCardForToken(token);
  if (testCard === undefined) {
    throw resourceMissing(`No such token: '${token}'`, 'payment_method_data[card][token]');
  }
  return createPaymentMethod(account, testCard);
}

/** The PaymentMethod named by the request, if it names one. */
export function resolvePaymentMethod(account: Account, params: FormObject): StoredPaymentMethod | undefined {
  const id = optionalString(params, 'payment_method');
  const data = optionalObject(params, 'payment_method_data');
  if (id !== undefined && data !== undefined) {
    throw invalidRequest('You cannot provide both `payment_method` and `payment_method_data`.', {
      param: 'payment_method_data',
    });
  }
  if (id !== undefined) return fromId(account, id);
  if (data !== undefined) return fromData(account, data);
  return undefined;
}
