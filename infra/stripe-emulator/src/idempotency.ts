/**
 * Stripe's idempotency layer (https://docs.stripe.com/api/idempotent_requests), per account:
 * the first response for a key is saved and replayed for retries with the same parameters;
 * other parameters or endpoint → 400 `idempotency_error`; a retry while the first request is
 * still running → 409 `idempotency_key_in_use`. Requests that fail validation are not saved
 * (Stripe saves results only once the endpoint has started executing). Keys expire after 24 h.
 */
import { StripeApiError } from './errors';

export interface SavedResponse {
  status: number;
  body: unknown;
  requestId: string;
}

export interface IdempotentRequest {
  /** e.g. `POST /v1/payment_intents` */
  endpoint: string;
  /** Canonical form of the parameters. */
  fingerprint: string;
}

export type IdempotencyDecision =
  | { kind: 'proceed' }
  | { kind: 'replay'; response: SavedResponse }
  | { kind: 'reject'; error: StripeApiError };

interface Entry extends IdempotentRequest {
  startedAt: number;
  response?: SavedResponse;
}

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

function idempotencyError(status: number, message: string, code?: string): StripeApiError {
  return new StripeApiError(status, { type: 'idempotency_error', message, ...(code ? { code } : {}) });
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  /** Decides what a request carrying `key` does; on `proceed` the key is now held as in flight. */
  begin(key: string, request: IdempotentRequest, now = Date.now()): IdempotencyDecision {
    this.sweep(now);
    const entry = this.entries.get(key);
    if (entry !== undefined && now - entry.startedAt < IDEMPOTENCY_KEY_TTL_MS) {
      return this.decide(key, entry, request);
    }
    this.entries.set(key, { ...request, startedAt: now });
    return { kind: 'proceed' };
  }

  /** Releases the in-flight hold: keeps `response` for replays, or forgets the key if it is not to be saved. */
  finish(key: string, response: SavedResponse | undefined): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    if (response === undefined) this.entries.delete(key);
    else entry.response = response;
  }

  /** Drops expired keys, at most once a minute (the SDK sends a key with every POST). */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) {
      if (entry.response !== undefined && now - entry.startedAt >= IDEMPOTENCY_KEY_TTL_MS) this.entries.delete(key);
    }
  }

  private decide(key: string, entry: Entry, request: IdempotentRequest): IdempotencyDecision {
    if (entry.response === undefined) {
      return {
        kind: 'reject',
        error: idempotencyError(
          409,
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          'idempotency_key_in_use',
        ),
      };
    }
    if (entry.endpoint !== request.endpoint) {
      return {
        kind: 'reject',
        error: idempotencyError(
          400,
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${request.endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        ),
      };
    }
    if (entry.fingerprint !== request.fingerprint) {
      return {
        kind: 'reject',
        error: idempotencyError(
          400,
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        ),
      };
    }
    return { kind: 'replay', response: entry.response };
  }
}

/** Parameters in a canonical form (object keys sorted) so that key order does not matter. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
