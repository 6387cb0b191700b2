/** Postgres' SQLSTATE for unique_violation. */
const UNIQUE_VIOLATION = '23505';

interface PgError {
  code?: unknown;
  constraint?: unknown;
  cause?: unknown;
}

/**
 * True when `err` (or what it wraps: drizzle reports the driver's error as `cause`) is a
 * violation of the named unique index or constraint.
 */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  for (let current = err; typeof current === 'object' && current !== null; current = (current as PgError).cause) {
    const { code, constraint: violated } = current as PgError;
    if (code === UNIQUE_VIOLATION && violated === constraint) return true;
  }
  return false;
}
