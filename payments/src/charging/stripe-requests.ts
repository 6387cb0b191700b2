import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { PaymentProviderUnavailableError } from './errors';

/**
 * The same order paid with the same card always sends the same key, so a retry (by the SDK, a
 * user, or a request finishing a crashed one) replays Stripe's first answer instead of charging
 * again; another card gets another key, so a decline does not block paying with a second card.
 * The card is hashed because a key may hold at most 255 characters.
 */
export const paymentIdempotencyKey = (orderId: string, paymentMethod: string): string =>
  `payment-${orderId}-${createHash('sha256').update(paymentMethod).digest('base64url')}`;

export const refundIdempotencyKey = (orderId: string, paymentIntentId: string): string => `refund-${orderId}-${paymentIntentId}`;

/** `payment_method_data[card][token]` is accepted by Stripe but absent from the SDK's typings. */
type CardTokenData = Stripe.PaymentIntentCreateParams.PaymentMethodData & { card: { token: string } };

/** A test token (`tok_…`) travels as payment method data; a PaymentMethod id (`pm_…`) as itself. */
export function paymentIntentParams(order: { id: string; priceCents: number }, paymentMethod: string): Stripe.PaymentIntentCreateParams {
  const cardToken: CardTokenData = { type: 'card', card: { token: paymentMethod } };
  return {
    amount: order.priceCents,
    currency: 'usd',
    confirm: true,
    ...(paymentMethod.startsWith('tok_') ? { payment_method_data: cardToken } : { payment_method: paymentMethod }),
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    metadata: { orderId: order.id },
  };
}

export type ChargeResult =
  | { kind: 'charged'; paymentIntentId: string }
  /** The card was refused; paying with another card may work. */
  | { kind: 'declined'; message: string }
  /** Stripe refused the request itself (no such token, amount below its minimum). */
  | { kind: 'rejected'; message: string; field?: 'token' };

/** Request problems a customer can cause; any other invalid request is a bug of ours. */
const CUSTOMER_REJECTIONS = new Set(['resource_missing', 'token_already_used', 'amount_too_small', 'amount_too_large']);

/**
 * Charges the order's price to the card in one confirmed PaymentIntent. Resolves with what
 * happened when Stripe gave a definite answer; throws PaymentProviderUnavailableError when the
 * outcome is unknown (Stripe unreachable or failing), and rethrows anything else.
 */
export async function chargeCard(stripe: Stripe, order: { id: string; priceCents: number }, paymentMethod: string): Promise<ChargeResult> {
  try {
    const intent = await stripe.paymentIntents.create(paymentIntentParams(order, paymentMethod), {
      idempotencyKey: paymentIdempotencyKey(order.id, paymentMethod),
    });
    if (intent.status === 'succeeded') return { kind: 'charged', paymentIntentId: intent.id };
    // e.g. requires_action: a card asking for 3-D Secure, which an API-only payment cannot complete.
    return { kind: 'declined', message: 'This card needs an authentication step we do not support; please use another card.' };
  } catch (err) {
    if (err instanceof Stripe.errors.StripeCardError) return { kind: 'declined', message: err.message };
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code && CUSTOMER_REJECTIONS.has(err.code)) {
      return { kind: 'rejected', message: err.message, ...(err.param?.startsWith('payment_method') ? { field: 'token' as const } : {}) };
    }
    throw unavailableIfTransient(err);
  }
}

/**
 * Gives the money of a PaymentIntent back. Safe to repeat: the key replays the first refund, and
 * once Stripe has forgotten the key it answers `charge_already_refunded`, which means done.
 */
export async function refundPayment(stripe: Stripe, orderId: string, paymentIntentId: string): Promise<void> {
  try {
    await stripe.refunds.create({ payment_intent: paymentIntentId }, { idempotencyKey: refundIdempotencyKey(orderId, paymentIntentId) });
  } catch (err) {
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'charge_already_refunded') return;
    throw unavailableIfTransient(err);
  }
}

const unavailableIfTransient = (err: unknown): unknown =>
  err instanceof Stripe.errors.StripeConnectionError ||
  err instanceof Stripe.errors.StripeAPIError ||
  err instanceof Stripe.errors.StripeRateLimitError ||
  // Another request holds the same key (a crashed attempt being finished twice): ask again later.
  (err instanceof Stripe.errors.StripeIdempotencyError && err.statusCode === 409)
    ? new PaymentProviderUnavailableError()
    : err;
