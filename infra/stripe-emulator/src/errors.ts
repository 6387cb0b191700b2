import type { PaymentIntent, PaymentMethod } from './types';

export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

/** The object Stripe sends under `error` in every failed response. */
export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: PaymentIntent;
  payment_method?: PaymentMethod;
}

/** A failed API call: thrown by the handlers, rendered by the error middleware as `{ error }`. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

interface InvalidRequestOptions {
  param?: string;
  code?: string;
  status?: number;
}

/** A 400 (or `status`) `invalid_request_error`, with `doc_url` derived from `code` like Stripe's. */
export function invalidRequest(message: string, options: InvalidRequestOptions = {}): StripeApiError {
  const { param, code, status = 400 } = options;
  return new StripeApiError(status, {
    type: 'invalid_request_error',
    message,
    ...(code === undefined ? {} : { code, doc_url: docUrl(code) }),
    ...(param === undefined ? {} : { param }),
  });
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { param, code: 'parameter_missing' });
}

export function resourceMissing(message: string, param?: string, status = 400): StripeApiError {
  return invalidRequest(message, { code: 'resource_missing', status, ...(param === undefined ? {} : { param }) });
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    { status: 404 },
  );
}
