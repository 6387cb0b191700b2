import { claimAttempt } from './payment-attempts';
import { settleAttempt, type PaymentDeps, type PaymentOutcome } from './settle-attempt';

export type { PaymentDeps, PaymentOutcome } from './settle-attempt';

export interface PaymentRequest {
  orderId: string;
  userId: string;
  /** A card token (`tok_…`) or PaymentMethod id (`pm_…`). */
  paymentMethod: string;
}

/**
 * Authorizes an order at most once. Throws the HTTP errors of the checks (unknown order, not the
 * owner, cancelled, paid or authorized already, expired, another payment in progress) and
 * PaymentProviderUnavailableError when Stripe's answer is unknown.
 */
export async function payOrder(deps: PaymentDeps, request: PaymentRequest): Promise<PaymentOutcome> {
  const claim = await claimAttempt(deps.db, request, deps.attemptLeaseMs);
  const outcome = await settleAttempt(deps, claim.attempt, claim.order);
  if (claim.kind === 'new') return outcome;
  deps.logger.warn({ orderId: request.orderId, attemptId: claim.attempt.id, outcome: outcome.kind }, 'settled an interrupted payment attempt');
  // The interrupted attempt authorized the order (or met its cancellation): that is this request's answer too.
  if (outcome.kind !== 'declined' && outcome.kind !== 'rejected') return outcome;
  return payOrder(deps, request);
}
