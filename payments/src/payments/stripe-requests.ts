import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { PaymentProviderUnavailableError } from './errors';

/**
 * The same order paid with the same card always sends the same key, so a retry (by the SDK, a
 * user, or a request finishing a crashed one) replays Stripe's first answer instead of
 * authorizing again; another card gets another key, so a decline does not block a second card.
 * The card is hashed because a key may hold at most 255 characters.
 */
export const paymentIdempotencyKey = (orderId: string, paymentMethod: string): string =>
  `authorize-${orderId}-${createHash('sha256').update(paymentMethod).digest('base64url')}`;

/** `payment_method_data[card][token]` is accepted by Stripe but absent from the SDK's typings. */
type CardTokenData = Stripe.PaymentIntentCreateParams.PaymentMethodData & { card: { token: string } };

/**
 * Authorize only (`capture_method: manual`): the amount is held on the card and taken when orders
 * completes the order, or released when it cancels it. A test token (`tok_…`) travels as payment
 * method data; a PaymentMethod id (`pm_…`) as itself.
 */
export function paymentIntentParams(order: { id: string; priceCents: number }, paymentMethod: string): Stripe.PaymentIntentCreateParams {
  const cardToken: CardTokenData = { type: 'card', card: { token: paymentMethod } };
  return {
    amount: order.priceCents,
    currency: 'usd',
    confirm: true,
    capture_method: 'manual',
    ...(paymentMethod.startsWith('tok_') ? { payment_method_data: cardToken } : { payment_method: paymentMethod }),
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    metadata: { orderId: order.id },
  };
}

export type AuthorizationResult =
  /** Held on the card (`requires_capture`). */
  | { kind: 'authorized'; intent: Stripe.PaymentIntent }
  /** The card asks the customer for an extra step (3-D Secure) first. */
  | { kind: 'requires_action'; intent: Stripe.PaymentIntent }
  /** The card was refused; paying with another card may work. */
  | { kind: 'declined'; message: string }
  /** Stripe refused the request itself (no such token, amount below its minimum). */
  | { kind: 'rejected'; message: string; field?: 'token' };

/** Request problems a customer can cause; any other invalid request is a bug of ours. */
const CUSTOMER_REJECTIONS = new Set(['resource_missing', 'token_already_used', 'amount_too_small', 'amount_too_large']);

/**
 * Authorizes the order's price on the card in one confirmed PaymentIntent. Resolves with what
 * happened when Stripe gave a definite answer; throws PaymentProviderUnavailableError when the
 * outcome is unknown (Stripe unreachable or failing), and rethrows anything else.
 */
export async function authorizeCard(stripe: Stripe, order: { id: string; priceCents: number }, paymentMethod: string): Promise<AuthorizationResult> {
  try {
    const intent = await stripe.paymentIntents.create(paymentIntentParams(order, paymentMethod), {
      idempotencyKey: paymentIdempotencyKey(order.id, paymentMethod),
    });
    if (intent.status === 'requires_capture') return { kind: 'authorized', intent };
    if (intent.status === 'requires_action') return { kind: 'requires_action', intent };
    // The idempotency key replays the first answer; anything else means the intent moved on
    // (e.g. it was captured or cancelled since): ask for its present state.
    return await currentState(stripe, intent.id);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeCardError) return { kind: 'declined', message: err.message };
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code && CUSTOMER_REJECTIONS.has(err.code)) {
      return { kind: 'rejected', message: err.message, ...(err.param?.startsWith('payment_method') ? { field: 'token' as const } : {}) };
    }
    throw unavailableIfTransient(err);
  }
}

async function currentState(stripe: Stripe, id: string): Promise<AuthorizationResult> {
  const intent = await stripe.paymentIntents.retrieve(id);
  if (intent.status === 'requires_capture' || intent.status === 'succeeded') return { kind: 'authorized', intent };
  if (intent.status === 'requires_action') return { kind: 'requires_action', intent };
  return { kind: 'declined', message: intent.last_payment_error?.message ?? 'The payment could not be authorized; please try another card.' };
}

/** Where a capture or a void left the PaymentIntent. */
export type Settlement = 'captured' | 'voided';

/**
 * Takes the authorized amount. Safe to repeat: the key replays the first capture, and an intent
 * that is already `succeeded` counts as captured. An intent cancelled meanwhile (by Stripe after
 * its authorization lapsed, or by hand) cannot be captured: that is reported, not hidden.
 */
export async function captureAuthorization(stripe: Stripe, paymentIntentId: string): Promise<Settlement> {
  try {
    await stripe.paymentIntents.capture(paymentIntentId, {}, { idempotencyKey: `capture-${paymentIntentId}` });
    return 'captured';
  } catch (err) {
    if (!isUnexpectedState(err)) throw unavailableIfTransient(err);
    const intent = await stripe.paymentIntents.retrieve(paymentIntentId).catch((e: unknown) => Promise.reject(unavailableIfTransient(e)));
    if (intent.status === 'succeeded') return 'captured';
    if (intent.status === 'canceled') return 'voided';
    throw err;
  }
}

/**
 * Cancels the PaymentIntent, releasing the hold (or ending a `requires_action` intent, so the
 * customer can no longer complete it). Safe to repeat: an intent already `canceled` counts as
 * voided; one that was captured (outside MicroTick) is reported as captured, for the caller to log.
 */
export async function voidAuthorization(stripe: Stripe, paymentIntentId: string): Promise<Settlement> {
  try {
    await stripe.paymentIntents.cancel(paymentIntentId, { cancellation_reason: 'abandoned' }, { idempotencyKey: `void-${paymentIntentId}` });
    return 'voided';
  } catch (err) {
    if (!isUnexpectedState(err)) throw unavailableIfTransient(err);
    const intent = await stripe.paymentIntents.retrieve(paymentIntentId).catch((e: unknown) => Promise.reject(unavailableIfTransient(e)));
    if (intent.status === 'canceled') return 'voided';
    if (intent.status === 'succeeded') return 'captured';
    throw err;
  }
}

const isUnexpectedState = (err: unknown): boolean =>
  err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'payment_intent_unexpected_state';

const unavailableIfTransient = (err: unknown): unknown =>
  err instanceof Stripe.errors.StripeConnectionError ||
  err instanceof Stripe.errors.StripeAPIError ||
  err instanceof Stripe.errors.StripeRateLimitError ||
  // Another request holds the same key (a crashed attempt being finished twice): ask again later.
  (err instanceof Stripe.errors.StripeIdempotencyError && err.statusCode === 409)
    ? new PaymentProviderUnavailableError()
    : err;
