import { TooManyRequestsError, type Credentials, type Logger } from '@microtick/common';
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

const WINDOW_MS = 60_000;

export interface RateLimitsPerMinute {
  /** Sign-in attempts per IP address, and separately per email. */
  signin: number;
  /** Sign-ups per IP address. */
  signup: number;
}

interface LimiterOptions {
  /** Names the policy in the `RateLimit` headers; sign-in sends two, per IP and per email. */
  policy: string;
  limit: number;
  message: string;
  logger: Logger;
  keyGenerator?: (req: Request) => string;
}

/*
 * Counters live in express-rate-limit's MemoryStore. Its memory stays bounded: the store keeps
 * two maps and drops the older one every window, so a key not seen for two minutes is gone,
 * and a window holds at most one small entry per distinct key. Per-IP keys are one per client
 * (IPv6 grouped by /56 subnet); per-email keys are only created for requests that passed the
 * per-IP limit and validation, so each client adds at most `signin` emails of ≤ 254 characters
 * per minute. Counters are per replica: with R replicas a client gets up to R × the limit,
 * which is acceptable for slowing guessing and avoids a shared store auth otherwise lacks.
 * Per-IP keys are only as trustworthy as `req.ip`, which common's `trust proxy: true` lets a
 * client choose through X-Forwarded-For; the per-email limit does not depend on it.
 */
function perMinuteLimiter(options: LimiterOptions): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: options.limit,
    identifier: options.policy,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    logger: options.logger,
    ...(options.keyGenerator ? { keyGenerator: options.keyGenerator } : {}),
    handler: (_req, _res, next) => next(new TooManyRequestsError(options.message)),
  });
}

export const signinLimiterPerIp = (limits: RateLimitsPerMinute, logger: Logger) =>
  perMinuteLimiter({ policy: 'signin-per-ip', limit: limits.signin, logger, message: 'Too many sign-in attempts from your network; try again in a minute' });

/** Keyed by the validated, normalised email: mount it after the body's validation. */
export const signinLimiterPerEmail = (limits: RateLimitsPerMinute, logger: Logger) =>
  perMinuteLimiter({
    policy: 'signin-per-email',
    limit: limits.signin,
    logger,
    message: 'Too many sign-in attempts for this account; try again in a minute',
    keyGenerator: (req) => `email:${(req.body as Credentials).email}`,
  });

export const signupLimiterPerIp = (limits: RateLimitsPerMinute, logger: Logger) =>
  perMinuteLimiter({ policy: 'signup-per-ip', limit: limits.signup, logger, message: 'Too many sign-ups from your network; try again in a minute' });
