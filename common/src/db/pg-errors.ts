/** Postgres' SQLSTATE for unique_violation. */
const UNIQUE_VIOLATION = '23505';

interface PgError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** `err` and what it wraps: drizzle reports the driver's error as `cause`. */
function* causeChain(err: unknown): Generator<PgError> {
  for (let current = err; typeof current === 'object' && current !== null; current = (current as PgError).cause) yield current as PgError;
}

/** True when `err` (or what it wraps) is a violation of the named unique index or constraint. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (const { code, constraint: violated } of causeChain(err)) if (code === UNIQUE_VIOLATION && violated === constraint) return true;
  return false;
}

/**
 * SQLSTATEs that end the session rather than the statement: 57P01–57P03 (an administrator or
 * the server ending sessions: pg_terminate_backend, a shutdown, a crash restart) and class 08
 * (connection exceptions).
 */
const SESSION_ENDED = /^(57P0[123]|08...)$/;
/** What node-postgres and node:net report when the socket under a client is gone. */
const SOCKET_GONE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const DRIVER_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/**
 * True when `err` (or what it wraps) says the database connection was lost or could not be made,
 * not that the statement was wrong: retrying on another connection may succeed. Whether a
 * statement in flight was applied is unknown, so only a caller that knows nothing was written
 * (pipelinedTransaction, before COMMIT) retries on its own.
 */
export function isConnectionLoss(err: unknown): boolean {
  for (const { code, message } of causeChain(err)) {
    if (typeof code === 'string' && (SESSION_ENDED.test(code) || SOCKET_GONE.has(code))) return true;
    if (code === undefined && typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  }
  return false;
}
