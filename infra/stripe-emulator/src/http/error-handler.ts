/** Renders any failure in Stripe's `{ error: { type, message, … } }` shape; never HTML. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { invalidRequest, StripeApiError, unrecognizedUrl } from '../errors';

/** body-parser's errors carry an HTTP status and a `type` such as `entity.parse.failed`. */
function isClientError(error: unknown): error is { status: number; message: string } {
  if (typeof error !== 'object' || error === null || !('status' in error)) return false;
  return typeof error.status === 'number' && error.status >= 400 && error.status < 500;
}

export const notFound: RequestHandler = (req) => {
  throw unrecognizedUrl(req.method, req.originalUrl.split('?')[0] ?? req.path);
};

export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const apiError =
    error instanceof StripeApiError
      ? error
      : isClientError(error)
        ? invalidRequest(`Invalid request: ${error.message}`, { status: error.status })
        : new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred in the Stripe emulator.' });
  res.status(apiError.status).json({ error: apiError.body });
};
