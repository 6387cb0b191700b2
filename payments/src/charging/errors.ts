import { HttpError, type ErrorItem } from '@microtick/common';

/** 409: another request for the same order is talking to Stripe right now. */
export class PaymentInProgressError extends HttpError {
  readonly statusCode = 409;
  constructor() {
    super('A payment for this order is already in progress');
  }
  serialize(): ErrorItem[] {
    return [{ message: this.message }];
  }
}

/**
 * 503: Stripe could not be reached or failed on its side, so whether the card was charged is not
 * known yet. The attempt stays on record and the next request for the order finds out first.
 */
export class PaymentProviderUnavailableError extends HttpError {
  readonly statusCode = 503;
  constructor() {
    super('The payment provider is unavailable; please try again in a moment');
  }
  serialize(): ErrorItem[] {
    return [{ message: this.message }];
  }
}
