import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isConnectionLoss } from '../db/pg-errors';
import { HttpError, NotFoundError } from '../errors/http-errors';

/**
 * Errors raised while reading the body (body-parser, or zlib for a bad Content-Encoding) carry
 * a 4xx `status` in the http-errors convention: they are the client's fault.
 */
interface ClientError {
  status: number;
  type?: string;
  code?: string;
}
const isClientError = (err: unknown): err is ClientError =>
  typeof err === 'object' && err !== null && 'status' in err &&
  typeof (err as ClientError).status === 'number' && (err as ClientError).status >= 400 && (err as ClientError).status < 500;

const bodyParserMessages: Record<string, string> = {
  'entity.parse.failed': 'Malformed JSON in request body',
  'entity.too.large': 'Request body is too large',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
  'request.aborted': 'Request aborted',
};

export const notFoundHandler: RequestHandler = () => {
  throw new NotFoundError('Route not found');
};

/**
 * Turns every error into the SPEC's `{errors: [...]}` shape. Known errors keep their status;
 * client-side body errors (malformed JSON, too large) keep theirs; a lost database connection is
 * a 503 the client may retry; anything else is logged and answered with a bare 500 so nothing
 * internal leaks.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) {
    req.log?.error({ err }, 'error after response started');
    res.end();
    return;
  }
  if (err instanceof HttpError) {
    res.status(err.statusCode).json({ errors: err.serialize() });
    return;
  }
  if (isClientError(err)) {
    const message = (err.type && bodyParserMessages[err.type]) ??
      (err.code?.startsWith('Z_') ? 'Request body could not be decompressed' : 'Bad request');
    res.status(err.status).json({ errors: [{ message }] });
    return;
  }
  if (isConnectionLoss(err)) {
    // The database went away under the request (a restart, a failover, a cut connection):
    // the request was fine and may succeed on another connection in a moment.
    (req.log ?? console).warn({ err: withoutQueryParams(err) }, 'database connection lost');
    res.status(503).set('Retry-After', '1').json({ errors: [{ message: 'The service is briefly unavailable; try again' }] });
    return;
  }
  (req.log ?? console).error({ err: withoutQueryParams(err) }, 'unhandled error');
  res.status(500).json({ errors: [{ message: 'Something went wrong' }] });
};

/**
 * drizzle wraps driver errors as "Failed query: <sql> params: <values>"; the values can be
 * password hashes or personal data, so only the SQL and the driver's own error are logged.
 */
function withoutQueryParams(err: unknown): unknown {
  if (err instanceof Error && err.message.startsWith('Failed query:') && err.cause instanceof Error) {
    const query = err.message.replace(/\nparams:[\s\S]*$/, '');
    return Object.assign(err.cause, { query });
  }
  return err;
}
