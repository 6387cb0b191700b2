/// <reference types="cookie-session" />
import type { RequestHandler } from 'express';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { NotAuthorizedError } from '../errors/http-errors';
import { signHs256, verifyHs256, withinTime } from './session-token';

/** What a session's JWT carries. */
export interface UserPayload {
  id: string;
  email: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      currentUser?: UserPayload;
    }
  }
}

/** The HMAC key object, made once per key rather than per request. */
const secretKeys = new Map<string, KeyObject>();
const secretKeyFor = (jwtKey: string): KeyObject => {
  let key = secretKeys.get(jwtKey);
  if (!key) {
    key = createSecretKey(Buffer.from(jwtKey, 'utf8'));
    secretKeys.set(jwtKey, key);
  }
  return key;
};

export const signSessionToken = (user: UserPayload, jwtKey: string, expiresInSeconds: number): string =>
  signHs256({ id: user.id, email: user.email }, secretKeyFor(jwtKey), expiresInSeconds);

const isUserPayload = (value: unknown): value is UserPayload =>
  typeof value === 'object' && value !== null &&
  typeof (value as UserPayload).id === 'string' && typeof (value as UserPayload).email === 'string';

/** Verified tokens kept per key, so a client's every request does not pay for the HMAC again. */
const VERIFIED_TOKENS_KEPT = 1_000;

/**
 * Reads the session's JWT; a missing, forged, malformed or expired token means "anonymous".
 * A token whose signature was verified is remembered (up to VERIFIED_TOKENS_KEPT per key; the
 * memory starts over when full) and its time claims are checked again on every request, so a
 * remembered token still expires: the verdict is the one `verifyHs256` would give.
 */
export const currentUser = (jwtKey: string): RequestHandler => {
  const key = secretKeyFor(jwtKey);
  const verified = new Map<string, Record<string, unknown>>();
  const claimsOf = (token: string): Record<string, unknown> | undefined => {
    const known = verified.get(token);
    if (known) return withinTime(known) ? known : undefined;
    const claims = verifyHs256(token, key);
    if (claims) {
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.clear();
      verified.set(token, claims);
    }
    return claims;
  };
  return (req, _res, next) => {
    const token: unknown = req.session?.jwt;
    if (typeof token === 'string') {
      // An invalid token is the same as no token.
      const payload = claimsOf(token);
      if (isUserPayload(payload)) req.currentUser = { id: payload.id, email: payload.email };
    }
    next();
  };
};

export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) throw new NotAuthorizedError();
  next();
};

/** The signed-in user; only call behind `requireAuth`. */
export const userOf = (req: Express.Request): UserPayload => {
  if (!req.currentUser) throw new NotAuthorizedError();
  return req.currentUser;
};
