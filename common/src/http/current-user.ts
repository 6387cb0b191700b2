/// <reference types="cookie-session" />
import type { RequestHandler } from 'express';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { NotAuthorizedError } from '../errors/http-errors';
import { signHs256, verifyHs256 } from './session-token';

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

/** Reads the session's JWT; a missing, forged, malformed or expired token means "anonymous". */
export const currentUser = (jwtKey: string): RequestHandler => {
  const key = secretKeyFor(jwtKey);
  return (req, _res, next) => {
    const token: unknown = req.session?.jwt;
    if (typeof token === 'string') {
      // An invalid token is the same as no token.
      const payload = verifyHs256(token, key);
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
