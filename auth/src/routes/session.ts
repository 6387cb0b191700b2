// req.session comes from cookie-session, mounted by common's createServiceApp.
/// <reference types="cookie-session" />
import { signSessionToken, type UserPayload } from '@microtick/common';
import type { Request } from 'express';

/** How sessions are signed and how long they last (the JWT's `exp` and the cookie's max-age). */
export interface SessionSettings {
  jwtKey: string;
  ttlSeconds: number;
}

/** Puts a fresh JWT `{id, email}` in the session cookie. */
export function startSession(req: Request, user: UserPayload, { jwtKey, ttlSeconds }: SessionSettings): void {
  req.session = { jwt: signSessionToken({ id: user.id, email: user.email }, jwtKey, ttlSeconds) };
}

/** Clears the session cookie. */
export function endSession(req: Request): void {
  req.session = null;
}
