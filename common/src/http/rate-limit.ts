import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { TooManyRequestsError } from '../errors/http-errors';
import type { Logger } from '../logger';

export interface PerMinuteLimiterOptions {
  /** Names the policy in the `RateLimit` headers (a route may send several). */
  policy: string;
  /** Requests allowed per key per minute. */
  limit: number;
  /** The 429's message, in the SPEC's error shape. */
  message: string;
  logger: Logger;
  /** Default: the client's address (`req.ip`, trusted only from TRUST_PROXY's hops). */
  keyGenerator?: (req: Request) => string;
  /** Count only requests answered with an error (e.g. failed sign-ins), not successes. */
  countFailuresOnly?: boolean;
}

/**
 * A fixed one-minute window per key (express-rate-limit's MemoryStore), answering 429 in the
 * error shape with standard `RateLimit` headers. Counters are per replica: with R replicas a
 * client gets up to R × the limit, acceptable for slowing abuse (the hard limits, such as the
 * live orders per user, are enforced in the database) and free of a shared store. The store
 * keeps two maps and drops the older every window, so its memory stays bounded.
 */
export function perMinuteLimiter(options: PerMinuteLimiterOptions): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: options.limit,
    identifier: options.policy,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    logger: options.logger,
    ...(options.keyGenerator ? { keyGenerator: options.keyGenerator } : {}),
    skipSuccessfulRequests: options.countFailuresOnly ?? false,
    handler: (_req, _res, next) => next(new TooManyRequestsError(options.message)),
  });
}
