/// <reference types="cookie-session" />
import type { Express, Request, RequestHandler } from 'express';

export interface SessionCookieOptions {
  /** How long a session cookie lives; matches the JWT's expiry. */
  maxAgeMs: number;
}

const NAME = 'session';
/** How the `cookies` package (cookie-session's) finds a cookie in the Cookie header. */
const SESSION_COOKIE = /(?:^|;) *session=([^;]*)/;
/** Keys a cookie-session Session object does not take from the cookie (its own and Object's). */
const NOT_COPIED = new Set(['isNew', 'isChanged', 'isPopulated']);
const NO_SESSION: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The session cookie read exactly as cookie-session reads it (unsigned base64 JSON; anything
 * that does not decode is an empty session), as a frozen object.
 */
export function readSessionCookie(cookieHeader: string | undefined): Readonly<Record<string, unknown>> {
  if (!cookieHeader) return NO_SESSION;
  let value = SESSION_COOKIE.exec(cookieHeader)?.[1];
  if (!value) return NO_SESSION;
  if (value[0] === '"') value = value.slice(1, -1);
  if (!value) return NO_SESSION;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    return NO_SESSION;
  }
  const session: Record<string, unknown> = {};
  if (typeof decoded === 'object' && decoded !== null) {
    for (const key in decoded) {
      if (!(key in session) && !NOT_COPIED.has(key)) session[key] = (decoded as Record<string, unknown>)[key];
    }
  }
  return Object.freeze(session);
}

/** Where a request keeps its decoded session (a property, not a WeakMap entry the GC must trace per request). */
const READ_SESSION = Symbol('readSession');
type WithReadSession = Request & { [READ_SESSION]?: Readonly<Record<string, unknown>> };

/**
 * `req.session` on every request of `app`, with cookie-session's semantics (the cookie `session`,
 * unsigned — the JWT inside is what is signed —, httpOnly, sameSite lax, `secure` when the request
 * came over https), but paid for only when used: reading it decodes the cookie once (a frozen
 * object: a route that wants to change the session assigns `req.session`), and assigning it
 * (auth's sign-in and sign-out) hands the request to cookie-session itself, which writes the
 * Set-Cookie exactly as before. Most requests only read the JWT, and cookie-session's Cookies
 * object, Session object and response hook per request were ~3 % of a route's CPU.
 */
export function installSessionCookie(app: Express, options: SessionCookieOptions): void {
  // Loaded by the first write: services that only read sessions never load cookie-session.
  let writer: RequestHandler | undefined;
  const writerOf = (): RequestHandler => {
    if (!writer) {
      const cookieSession = require('cookie-session') as typeof import('cookie-session');
      writer = cookieSession({ name: NAME, signed: false, httpOnly: true, sameSite: 'lax', maxAge: options.maxAgeMs });
    }
    return writer;
  };
  Object.defineProperty(app.request, 'session', {
    configurable: true,
    get(this: WithReadSession) {
      return (this[READ_SESSION] ??= readSessionCookie(this.headers.cookie));
    },
    set(this: Request, value: unknown) {
      // cookie-session defines `session` on the request itself, shadowing this accessor.
      writerOf()(this, this.res as Parameters<RequestHandler>[1], () => undefined);
      if (this.sessionOptions) this.sessionOptions.secure = this.secure;
      (this as { session?: unknown }).session = value;
    },
  });
}
