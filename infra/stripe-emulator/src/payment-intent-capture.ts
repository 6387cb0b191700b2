/**
 * The second half of a manual-capture payment: capture an authorization (`requires_capture` →
 * `succeeded`) or cancel the PaymentIntent, which releases the hold on the card (a void). As with
 * Stripe, capturing needs `requires_capture`, and a succeeded or cancelled intent cannot be cancelled.
 */
import { invalidRequest } from './errors';
import { expandPaymentIntent, parseExpand } from './expand';
import { unixNow } from './ids';
import { optionalInteger, optionalMetadata, optionalString, rejectUnknownParams } from './params';
import { checkAllowed, findPaymentIntent, type RequestContext } from './payment-intents';
import type { Account } from './state';
import type { CancellationReason, Charge, PaymentIntent } from './types';

const CAPTURE_PARAMS = new Set(['amount_to_capture', 'expand', 'metadata', 'statement_descriptor', 'statement_descriptor_suffix']);
const CANCEL_PARAMS = new Set(['cancellation_reason', 'expand']);
const CANCELLABLE = new Set(['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action']);
const REASONS: readonly CancellationReason[] = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'];

function latestCharge(account: Account, intent: PaymentIntent): Charge | undefined {
  return typeof intent.latest_charge === 'string' ? account.charges.get(intent.latest_charge) : undefined;
}

export function capturePaymentIntent(ctx: RequestContext, id: string): PaymentIntent {
  const { account, params } = ctx;
  rejectUnknownParams(params, CAPTURE_PARAMS);
  const intent = findPaymentIntent(account, id);
  const expand = parseExpand(params, ['latest_charge', 'payment_method']);
  if (intent.status !== 'requires_capture') {
    throw invalidRequest(
      `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      { code: 'payment_intent_unexpected_state' },
    );
  }
  const amount = optionalInteger(params, 'amount_to_capture') ?? intent.amount_capturable;
  if (amount < 1 || amount > intent.amount_capturable) {
    throw invalidRequest(`The amount to capture must be between 1 and ${intent.amount_capturable}.`, { param: 'amount_to_capture' });
  }
  const metadata = optionalMetadata(params);
  if (metadata) intent.metadata = { ...intent.metadata, ...metadata };
  const charge = latestCharge(account, intent);
  if (charge) {
    charge.captured = true;
    charge.amount_captured = amount;
    // Stripe releases the part of an authorization that was not captured as a refund.
    charge.amount_refunded = charge.amount - amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    account.recordChargeChange(charge);
  }
  intent.status = 'succeeded';
  intent.amount_received = amount;
  intent.amount_capturable = 0;
  account.emit('payment_intent.succeeded', intent, ctx.apiVersion);
  return expandPaymentIntent(account, intent, expand);
}

export function cancelPaymentIntent(ctx: RequestContext, id: string): PaymentIntent {
  const { account, params } = ctx;
  rejectUnknownParams(params, CANCEL_PARAMS);
  checkAllowed(params, 'cancellation_reason', REASONS);
  const intent = findPaymentIntent(account, id);
  const expand = parseExpand(params, ['latest_charge', 'payment_method']);
  if (!CANCELLABLE.has(intent.status)) {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      { code: 'payment_intent_unexpected_state' },
    );
  }
  const charge = intent.status === 'requires_capture' ? latestCharge(account, intent) : undefined;
  if (charge) {
    // The authorization is released: Stripe shows the uncaptured charge as refunded in full.
    charge.amount_refunded = charge.amount;
    charge.refunded = true;
    account.recordChargeChange(charge, { voided: true });
  }
  intent.status = 'canceled';
  intent.amount_capturable = 0;
  intent.next_action = null;
  intent.canceled_at = unixNow();
  intent.cancellation_reason = REASONS.find((reason) => reason === optionalString(params, 'cancellation_reason')) ?? null;
  account.emit('payment_intent.canceled', intent, ctx.apiVersion);
  return expandPaymentIntent(account, intent, expand);
}

/**
 * Emulator-only (`POST /__emulator/payment_intents/:id/fail_authentication`): the customer failed
 * or abandoned the 3-D Secure step, so the intent goes back to `requires_payment_method` with
 * Stripe's `payment_intent_authentication_failure` and `payment_intent.payment_failed` is sent.
 */
export function failAuthentication(account: Account, id: string, apiVersion: string): PaymentIntent {
  const intent = findPaymentIntent(account, id);
  if (intent.status !== 'requires_action') {
    throw invalidRequest(`This PaymentIntent has a status of ${intent.status}, not requires_action.`, { code: 'payment_intent_unexpected_state' });
  }
  const method = typeof intent.payment_method === 'string' ? account.paymentMethods.get(intent.payment_method)?.object : undefined;
  intent.status = 'requires_payment_method';
  intent.next_action = null;
  intent.payment_method = null;
  intent.last_payment_error = {
    type: 'card_error',
    code: 'payment_intent_authentication_failure',
    decline_code: 'authentication_required',
    doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
    message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
    charge: '',
    ...(method ? { payment_method: method } : {}),
  };
  account.emit('payment_intent.payment_failed', intent, apiVersion);
  return structuredClone(intent);
}
