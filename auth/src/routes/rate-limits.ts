import { perMinuteLimiter, type Credentials, type Logger } from '@microtick/common';
import { ipKeyGenerator } from 'express-rate-limit';

export interface RateLimitsPerMinute {
  /** Sign-in attempts per IP address. */
  signin: number;
  /** Failed sign-ins per email and IP address together. */
  signinFailures: number;
  /** Sign-ups per IP address. */
  signup: number;
}

/*
 * Per-IP keys are one per client (IPv6 grouped by /56 subnet), only as trustworthy as `req.ip`:
 * common trusts X-Forwarded-For only from the hops named by TRUST_PROXY (loopback, the local
 * gateway, by default). Per-email keys are only created for requests that passed the per-IP
 * limit and validation, so each client adds at most `signin` emails of ≤ 254 characters per minute.
 */
export const signinLimiterPerIp = (limits: RateLimitsPerMinute, logger: Logger) =>
  perMinuteLimiter({ policy: 'signin-per-ip', limit: limits.signin, logger, message: 'Too many sign-in attempts from your network; try again in a minute' });

/**
 * Failed sign-ins per account *and* address together, keyed by the validated, normalised email
 * (mount it after the body's validation). Counting per email alone let anyone lock a victim out
 * with ten wrong passwords a minute; this way someone else's failures never block the victim,
 * who signs in from another address. Guessing one account from many addresses is slowed by
 * scrypt and each address's own limit (docs/security.md).
 */
export const signinLimiterPerEmail = (limits: RateLimitsPerMinute, logger: Logger) =>
  perMinuteLimiter({
    policy: 'signin-failures-per-account-and-address',
    limit: limits.signinFailures,
    logger,
    message: 'Too many failed sign-in attempts for this account; try again in a minute',
    keyGenerator: (req) => `email:${(req.body as Credentials).email}|ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    countFailuresOnly: true,
  });

export const signupLimiterPerIp = (limits: RateLimitsPerMinute, logger: Logger) =>
  perMinuteLimiter({ policy: 'signup-per-ip', limit: limits.signup, logger, message: 'Too many sign-ups from your network; try again in a minute' });
