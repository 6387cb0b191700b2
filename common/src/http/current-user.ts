/// <reference types="cookie-session" />
import type { RequestHandler } from 'express';
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { NotAuthorizedError } from '../errors/http-errors';

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

/**
 * jsonwebtoken first tries to parse a string key as a PEM public key (about 1 ms per request);
 * a KeyObject skips that. Made once per key.
 */
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
  jwt.sign({ id: user.id, email: user.email }, secretKeyFor(jwtKey), { expiresIn: expiresInSeconds, algorithm: 'HS256' });

const isUserPayload = (value: unknown): value is UserPayload =>
  typeof value === 'object' && value !== null &&
  typeof (value as UserPayload).id === 'string' && typeof (value as UserPayload).email === 'string';

/** Reads the session's JWT; a missing, forged, malformed or expired token means "anonymous". */
export const currentUser = (jwtKey: string): RequestHandler => {
  const key = secretKeyFor(jwtKey);
  return (req, _res, next) => {
    const token: unknown = req.session?.jwt;
    if (typeof token === 'string') {
      try {
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
        if (isUserPayload(payload)) req.currentUser = { id: payload.id, email: payload.email };
      } catch {
        // An invalid token is the same as no token.
      }
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
