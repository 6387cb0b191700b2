/**
 * Refunds of PaymentIntents, in full or in part. A refund succeeds at once (as with test cards)
 * and is reflected in the charge's `amount_refunded` / `refunded` and in `GET /__emulator/charges`.
 * Idempotency keys work as for every POST (see http/api-route.ts).
 */
import { formatAmount } from './currencies';
import { invalidRequest, resourceMissing } from './errors';
import { newId, unixNow } from './ids';
import { optionalInteger, optionalMetadata, optionalString, rejectUnknownParams } from './params';
import type { RequestContext } from './payment-intents';
import type { Charge, Refund, RefundReason } from './types';

const REFUND_PARAMS = new Set(['payment_intent', 'amount', 'metadata', 'reason']);
/** Real Stripe parameters whose behaviour the emulator does not model: refused loudly, not ignored. */
const UNSUPPORTED_PARAMS = new Set(['charge', 'currency', 'customer', 'instructions_email', 'origin', 'refund_application_fee', 'reverse_transfer']);
const REASONS: readonly RefundReason[] = ['duplicate', 'fraudulent', 'requested_by_customer'];

function refundableCharge(ctx: RequestContext, intentId: string): Charge {
  const intent = ctx.account.paymentIntents.get(intentId);
  if (intent === undefined) throw resourceMissing(`No such payment_intent: '${intentId}'`, 'payment_intent');
  const charge = intent.status === 'succeeded' && typeof intent.latest_charge === 'string' ? ctx.account.charges.get(intent.latest_charge) : undefined;
  if (charge === undefined) {
    throw invalidRequest(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, {
      param: 'payment_intent',
      code: 'charge_not_refundable',
    });
  }
  if (charge.refunded) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  }
  return charge;
}

function parseReason(ctx: RequestContext): RefundReason | null {
  const reason = optionalString(ctx.params, 'reason');
  if (reason === undefined) return null;
  const known = REASONS.find((item) => item === reason);
  if (known === undefined) {
    throw invalidRequest(`Invalid reason: must be one of ${REASONS.join(', ')}`, { param: 'reason' });
  }
  return known;
}

export function createRefund(ctx: RequestContext): Refund {
  const { account, params } = ctx;
  rejectUnknownParams(params, REFUND_PARAMS, UNSUPPORTED_PARAMS);
  const intentId = optionalString(params, 'payment_intent');
  if (intentId === undefined) {
    throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
      code: 'parameter_missing',
    });
  }
  const reason = parseReason(ctx);
  const metadata = optionalMetadata(params) ?? {};
  const charge = refundableCharge(ctx, intentId);
  const unrefunded = charge.amount - charge.amount_refunded;
  const amount = optionalInteger(params, 'amount') ?? unrefunded;
  if (amount < 1) {
    throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
  }
  if (amount > unrefunded) {
    throw invalidRequest(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(unrefunded, charge.currency)})`,
      { param: 'amount' },
    );
  }

  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  account.recordChargeChange(charge);
  const refund: Refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: unixNow(),
    currency: charge.currency,
    metadata,
    payment_intent: intentId,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  account.refunds.set(refund.id, refund);
  return structuredClone(refund);
}
