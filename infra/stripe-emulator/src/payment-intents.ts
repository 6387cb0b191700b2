/**
 * The PaymentIntents API: create (optionally confirming), confirm, retrieve, list. Validation
 * follows Stripe's, including the rule that trips integrations moving from a mock to real Stripe:
 * confirming with automatic payment methods that allow redirects needs a `return_url`.
 */
import { automaticPaymentMethods } from './automatic-payment-methods';
import { chargePaymentIntent } from './charges';
import { checkAmount, normalizeCurrency } from './currencies';
import { invalidRequest, resourceMissing } from './errors';
import { expandPaymentIntent, parseExpand } from './expand';
import { newId, randomToken, unixNow } from './ids';
import {
  optionalBoolean,
  optionalMetadata,
  optionalObject,
  optionalString,
  optionalStringArray,
  rejectUnknownParams,
  requiredInteger,
  requiredString,
  type FormObject,
} from './params';
import { resolvePaymentMethod } from './payment-methods';
import type { Account, StoredPaymentMethod } from './state';
import type { PaymentIntent } from './types';

const SHARED_PARAMS = [
  'payment_method',
  'payment_method_data',
  'payment_method_options',
  'return_url',
  'receipt_email',
  'error_on_requires_action',
  'use_stripe_sdk',
  'expand',
];
const CREATE_PARAMS = new Set([
  ...SHARED_PARAMS,
  'amount',
  'currency',
  'confirm',
  'payment_method_types',
  'allowed_payment_method_types',
  'automatic_payment_methods',
  'description',
  'metadata',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'capture_method',
  'confirmation_method',
]);
const CONFIRM_PARAMS = new Set([...SHARED_PARAMS, 'capture_method']);
/** Real Stripe parameters whose behaviour the emulator does not model: refused loudly, not ignored. */
const UNSUPPORTED_PARAMS = new Set([
  'customer',
  'off_session',
  'setup_future_usage',
  'on_behalf_of',
  'application_fee_amount',
  'transfer_data',
  'transfer_group',
  'shipping',
  'mandate',
  'mandate_data',
  'radar_options',
  'confirmation_token',
  'payment_details',
  'hooks',
  'amount_details',
  'excluded_payment_method_types',
  'payment_method_configuration',
]);
const CONFIRMABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action']);
const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;

export interface RequestContext {
  account: Account;
  params: FormObject;
  /** The `Stripe-Version` the client asked for. */
  apiVersion: string;
}

export function checkAllowed(params: FormObject, name: string, allowed: readonly string[]): void {
  const value = optionalString(params, name);
  if (value !== undefined && !allowed.includes(value)) {
    const message = `The MicroTick Stripe emulator only models ${name}=${allowed.join(' or ')}, not '${value}'.`;
    throw invalidRequest(message, { param: name });
  }
}

/** What Stripe checks before it attempts a charge. */
function checkConfirmable(intent: PaymentIntent, method: StoredPaymentMethod | undefined, returnUrl: string | undefined) {
  if (method === undefined) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      { code: 'payment_intent_unexpected_state' },
    );
  }
  if (intent.automatic_payment_methods?.allow_redirects === 'always' && returnUrl === undefined) {
    throw invalidRequest(
      'A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.',
    );
  }
  return method;
}

function confirmAndRender(ctx: RequestContext, intent: PaymentIntent, method: StoredPaymentMethod, expand: string[]) {
  const declined = chargePaymentIntent(ctx.account, intent, method, ctx.apiVersion);
  if (declined) throw declined;
  return expandPaymentIntent(ctx.account, intent, expand);
}

export function createPaymentIntent(ctx: RequestContext): PaymentIntent {
  const { account, params } = ctx;
  rejectUnknownParams(params, CREATE_PARAMS, UNSUPPORTED_PARAMS);
  const amount = requiredInteger(params, 'amount');
  const currency = normalizeCurrency(requiredString(params, 'currency'));
  checkAmount(amount, currency);
  checkAllowed(params, 'capture_method', CAPTURE_METHODS);
  checkAllowed(params, 'confirmation_method', ['automatic']);
  optionalObject(params, 'payment_method_options');
  const expand = parseExpand(params, ['latest_charge', 'payment_method']);
  const confirm = optionalBoolean(params, 'confirm') ?? false;
  const returnUrl = optionalString(params, 'return_url');
  const automatic = automaticPaymentMethods(params, ctx.apiVersion);
  const allowedTypes = optionalStringArray(params, 'allowed_payment_method_types') ?? null;
  const metadata = optionalMetadata(params) ?? {};
  const method = resolvePaymentMethod(account, params);

  const id = newId('pi');
  const intent: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_received: 0,
    automatic_payment_methods: automatic,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: captureMethodOf(params) ?? 'automatic_async',
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: 'automatic',
    created: unixNow(),
    currency,
    customer: null,
    description: optionalString(params, 'description') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata,
    next_action: null,
    payment_method: method?.object.id ?? null,
    payment_method_types: ['card'],
    allowed_payment_method_types: allowedTypes,
    receipt_email: optionalString(params, 'receipt_email') ?? null,
    statement_descriptor: optionalString(params, 'statement_descriptor') ?? null,
    statement_descriptor_suffix: optionalString(params, 'statement_descriptor_suffix') ?? null,
    status: method ? 'requires_confirmation' : 'requires_payment_method',
  };
  if (!confirm) {
    account.paymentIntents.set(id, intent);
    return expandPaymentIntent(account, intent, expand);
  }
  const confirmable = checkConfirmable(intent, method, returnUrl);
  account.paymentIntents.set(id, intent);
  return confirmAndRender(ctx, intent, confirmable, expand);
}

function captureMethodOf(params: FormObject): PaymentIntent['capture_method'] | undefined {
  const value = optionalString(params, 'capture_method');
  return CAPTURE_METHODS.find((method) => method === value);
}

export function findPaymentIntent(account: Account, id: string): PaymentIntent {
  const intent = account.paymentIntents.get(id);
  if (intent === undefined) throw resourceMissing(`No such payment_intent: '${id}'`, 'intent', 404);
  return intent;
}

export function confirmPaymentIntent(ctx: RequestContext, id: string): PaymentIntent {
  const { account, params } = ctx;
  rejectUnknownParams(params, CONFIRM_PARAMS, UNSUPPORTED_PARAMS);
  const intent = findPaymentIntent(account, id);
  if (!CONFIRMABLE.has(intent.status)) {
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_action, requires_payment_method.`,
      { code: 'payment_intent_unexpected_state' },
    );
  }
  checkAllowed(params, 'capture_method', CAPTURE_METHODS);
  optionalObject(params, 'payment_method_options');
  const expand = parseExpand(params, ['latest_charge', 'payment_method']);
  const captureMethod = captureMethodOf(params);
  if (captureMethod !== undefined) intent.capture_method = captureMethod;
  const returnUrl = optionalString(params, 'return_url');
  const receiptEmail = optionalString(params, 'receipt_email');
  const current = typeof intent.payment_method === 'string' ? account.paymentMethods.get(intent.payment_method) : undefined;
  const method = checkConfirmable(intent, resolvePaymentMethod(account, params) ?? current, returnUrl);
  if (receiptEmail !== undefined) intent.receipt_email = receiptEmail;
  return confirmAndRender(ctx, intent, method, expand);
}

export function retrievePaymentIntent(ctx: RequestContext, id: string): PaymentIntent {
  rejectUnknownParams(ctx.params, new Set(['expand', 'client_secret']));
  const expand = parseExpand(ctx.params, ['latest_charge', 'payment_method']);
  const intent = findPaymentIntent(ctx.account, id);
  const secret = optionalString(ctx.params, 'client_secret');
  if (secret !== undefined && secret !== intent.client_secret) {
    throw invalidRequest('The client_secret provided does not match the client_secret associated with the PaymentIntent.', {
      param: 'client_secret',
    });
  }
  return expandPaymentIntent(ctx.account, intent, expand);
}
