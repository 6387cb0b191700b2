import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { TooManyRequestsError } from '../errors/http-errors';
import type { Logger } from '../logger';

export interface PerMinuteLimiterOptions {
  /** Names the policy in the `RateLimit` headers (a route may send several). */
  policy: string;
  /** Requests allowed per key per minute. */
  limit: number;
  /** The 429's message, in the SPEC's error shape. */
  message: string;
  /** Kept for the callers' sake; this limiter has nothing to warn about at run time. */
  logger?: Logger;
  /** Default: the client's address (`req.ip`, trusted only from TRUST_PROXY's hops; IPv6 by /56 subnet). */
  keyGenerator?: (req: Request) => string;
  /** Count only requests answered with an error (e.g. failed sign-ins), not successes. */
  countFailuresOnly?: boolean;
}

const WINDOW_MS = 60_000;
const WINDOW_SECONDS = WINDOW_MS / 1000;

/** One key's window: it starts with the key's first request and lasts WINDOW_MS. */
interface Window {
  hits: number;
  resetAt: number;
  /** The key's hash as the `pk` of the RateLimit-Policy header, computed once per key. */
  partitionKey: string;
}

/** express-rate-limit's partition key: the first 12 hex digits of the key's SHA-256, in base64. */
const partitionKeyOf = (key: string): string => Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');

/**
 * express-rate-limit's MemoryStore, synchronous: two maps, the older dropped every window (a key
 * unseen for a whole window is forgotten), so memory stays bounded by the keys of two windows.
 */
class FixedWindows {
  private previous = new Map<string, Window>();
  private current = new Map<string, Window>();

  constructor() {
    setInterval(() => {
      this.previous = this.current;
      this.current = new Map();
    }, WINDOW_MS).unref();
  }

  hit(key: string, now: number): Window {
    const window = this.windowOf(key, now);
    if (window.resetAt <= now) {
      window.hits = 0;
      window.resetAt = now + WINDOW_MS;
    }
    window.hits++;
    return window;
  }

  /** Takes one request back (one that should not have counted). */
  undo(key: string): void {
    const window = this.windowOf(key, Date.now());
    if (window.hits > 0) window.hits--;
  }

  private windowOf(key: string, now: number): Window {
    let window = this.current.get(key);
    if (window) return window;
    window = this.previous.get(key);
    if (window) this.previous.delete(key);
    else window = { hits: 0, resetAt: now + WINDOW_MS, partitionKey: partitionKeyOf(key) };
    this.current.set(key, window);
    return window;
  }
}

/**
 * express-rate-limit's default key: the client's address, an IPv6 one by its /56 subnet. Its
 * helper (with ip-address, ~12 modules) is loaded only by the limiters that key by address.
 */
function byClientAddress(): (req: Request) => string {
  const { ipKeyGenerator } = require('express-rate-limit') as typeof import('express-rate-limit');
  return (req) => ipKeyGenerator(req.ip ?? 'unknown');
}

/**
 * A fixed one-minute window per key, answering 429 in the error shape with the IETF draft-8
 * `RateLimit` / `RateLimit-Policy` headers and `Retry-After`: what express-rate-limit 8 did here
 * (its MemoryStore, `standardHeaders: 'draft-8'`, no legacy headers; rate-limit.test.ts holds the
 * two side by side), without its per-request promises, request-IP validations and SHA-256 of
 * the key. Counters are per replica: with R replicas a client gets up to R × the limit,
 * acceptable for slowing abuse (the hard limits, such as the live orders per user, are
 * enforced in the database) and free of a shared store.
 */
export function perMinuteLimiter(options: PerMinuteLimiterOptions): RequestHandler {
  const { policy, limit, message } = options;
  const keyOf = options.keyGenerator ?? byClientAddress();
  const windows = new FixedWindows();
  const policyHeader = (window: Window) => `"${policy}"; q=${limit}; w=${WINDOW_SECONDS}; pk=:${window.partitionKey}:`;
  return (req, res, next) => {
    const key = keyOf(req);
    const now = Date.now();
    const window = windows.hit(key, now);
    const resetAt = window.resetAt;
    const resetSeconds = Math.max(0, Math.ceil((resetAt - now) / 1000));
    if (!res.headersSent) {
      res.append('RateLimit', `"${policy}"; r=${Math.max(limit - window.hits, 0)}; t=${resetSeconds}`);
      res.append('RateLimit-Policy', policyHeader(window));
    }
    if (options.countFailuresOnly) {
      // A success is taken back once answered, unless its window has ended meanwhile.
      res.once('finish', () => {
        if (res.statusCode < 400 && Date.now() < resetAt) windows.undo(key);
      });
    }
    if (window.hits > limit) {
      if (!res.headersSent) res.setHeader('Retry-After', String(resetSeconds));
      next(new TooManyRequestsError(message));
      return;
    }
    next();
  };
}
