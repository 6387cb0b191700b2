/**
 * Confirming a PaymentIntent: one Charge per attempt, succeeded or failed as the test card
 * dictates. A decline leaves the intent in `requires_payment_method` with `last_payment_error`
 * and yields the 402 `card_error` Stripe returns (the SDK throws `StripeCardError` for it).
 * With `capture_method: manual` a successful charge is only authorized: the intent waits in
 * `requires_capture` until it is captured or cancelled (payment-intent-capture.ts). A card that
 * asks for 3-D Secure stops in `requires_action` until the intent is confirmed again.
 */
import { docUrl, StripeApiError } from './errors';
import { newId, unixNow } from './ids';
import type { Account, StoredPaymentMethod } from './state';
import type { Charge, PaymentIntent } from './types';

function newCharge(intent: PaymentIntent, { object: method, card }: StoredPaymentMethod): Charge {
  const decline = card.decline;
  const captured = !decline && intent.capture_method !== 'manual';
  return {
    id: newId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: captured ? intent.amount : 0,
    amount_refunded: 0,
    balance_transaction: null,
    captured,
    created: unixNow(),
    currency: intent.currency,
    description: intent.description,
    failure_code: decline ? decline.code : null,
    failure_message: decline ? decline.message : null,
    livemode: false,
    metadata: { ...intent.metadata },
    outcome: decline
      ? {
          network_status: 'declined_by_network',
          reason: decline.declineCode,
          risk_level: 'normal',
          seller_message: decline.sellerMessage,
          type: 'issuer_declined',
        }
      : {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: !decline,
    payment_intent: intent.id,
    payment_method: method.id,
    payment_method_details: { type: 'card', card: method.card },
    refunded: false,
    status: decline ? 'failed' : 'succeeded',
  };
}

/**
 * Charges `method` for `intent` (mutating the stored intent). Returns nothing on success and
 * the card error to send on a decline.
 */
export function chargePaymentIntent(
  account: Account,
  intent: PaymentIntent,
  method: StoredPaymentMethod,
  apiVersion: string,
): StripeApiError | undefined {
  if (method.card.requiresAction && intent.status !== 'requires_action') {
    // The issuer wants the customer to authenticate first; no charge is attempted yet.
    intent.status = 'requires_action';
    intent.payment_method = method.object.id;
    intent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${intent.id}` } };
    account.emit('payment_intent.requires_action', intent, apiVersion);
    return undefined;
  }
  intent.next_action = null;
  const charge = newCharge(intent, method);
  account.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;

  const decline = method.card.decline;
  if (decline === undefined) {
    const manual = intent.capture_method === 'manual';
    intent.status = manual ? 'requires_capture' : 'succeeded';
    intent.amount_received = manual ? 0 : intent.amount;
    intent.amount_capturable = manual ? intent.amount : 0;
    intent.payment_method = method.object.id;
    intent.last_payment_error = null;
    account.recordSuccessfulCharge({
      id: charge.id,
      paymentIntentId: intent.id,
      amount: charge.amount,
      currency: charge.currency,
      metadata: { ...intent.metadata },
      created: charge.created,
      amountRefunded: 0,
      refunded: false,
      captured: charge.captured,
      amountCaptured: charge.amount_captured,
      voided: false,
    });
    account.emit(manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', intent, apiVersion);
    return undefined;
  }

  intent.status = 'requires_payment_method';
  intent.payment_method = null;
  intent.last_payment_error = {
    type: 'card_error',
    charge: charge.id,
    code: decline.code,
    decline_code: decline.declineCode,
    doc_url: docUrl(decline.code),
    message: decline.message,
    ...(decline.param === undefined ? {} : { param: decline.param }),
    payment_method: method.object,
  };
  account.emit('payment_intent.payment_failed', intent, apiVersion);
  return new StripeApiError(402, { ...intent.last_payment_error, payment_intent: structuredClone(intent) });
}
