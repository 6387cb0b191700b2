import { randomBytes } from 'node:crypto';
import { sessionCookie } from '@microtick/common/testing';

export interface SessionUser {
  id: string;
  email: string;
}

/** A `Cookie` header carrying `token` the way cookie-session stores it (base64 of `{"jwt": …}`). */
export const cookieWithToken = (token: unknown): string => `session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A session that would make the caller `user`, if the services did not check the signature. */
export function forgedCookie(user: SessionUser): string {
  return sessionCookie(user, { jwtKey: randomBytes(32).toString('hex') });
}

/** A correctly signed session for `user` whose JWT expired a minute ago. */
export function expiredCookie(user: SessionUser, jwtKey: string): string {
  return sessionCookie(user, { jwtKey, expiresInSeconds: -60 });
}

/**
 * Ways to claim to be `victim` without the key, given a genuine session of `attacker`: every one
 * must be treated as anonymous.
 */
export function counterfeitCookies(victim: SessionUser, attacker: SessionUser, jwtKey: string): Record<string, string> {
  const attackerToken = tokenOf(sessionCookie(attacker, { jwtKey }));
  const [header, , signature] = attackerToken.split('.');
  const victimClaims = { id: victim.id, email: victim.email, iat: Math.floor(Date.now() / 1000) };
  return {
    'forged key': forgedCookie(victim),
    expired: expiredCookie(victim, jwtKey),
    'alg none': cookieWithToken(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(victimClaims)}.`),
    'payload swapped under a genuine signature': cookieWithToken(`${header}.${base64url(victimClaims)}.${signature}`),
    'empty signature': cookieWithToken(`${header}.${base64url(victimClaims)}.`),
    'jwt not a string': `session=${Buffer.from(JSON.stringify({ jwt: victimClaims })).toString('base64')}`,
    'not base64 JSON': 'session=%7B%22jwt%22%3A',
    'raw JWT instead of the cookie encoding': `session=${attackerToken}`,
    'huge cookie': `session=${'A'.repeat(3_000)}`,
  };
}

/** The JWT inside a `session=…` cookie made by common's `sessionCookie`. */
function tokenOf(cookie: string): string {
  const value = cookie.slice('session='.length);
  return (JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { jwt: string }).jwt;
}
