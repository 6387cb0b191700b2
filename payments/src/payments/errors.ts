import { ConflictError, ServiceUnavailableError } from '@microtick/common';

/** 409: another request for the same order is talking to Stripe right now. */
export class PaymentInProgressError extends ConflictError {
  constructor() {
    super('A payment for this order is already in progress');
  }
}

/**
 * 503: Stripe could not be reached or failed on its side, so whether the card was charged is not
 * known yet. The attempt stays on record and the next request for the order finds out first.
 */
export class PaymentProviderUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('The payment provider is unavailable; please try again in a moment');
  }
}
