import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Session JWTs, HS256 only, on node:crypto: the tokens jsonwebtoken signed (same header, same
 * claims in the same order, so either side can read the other's) and the checks its
 * `verify(token, key, { algorithms: ['HS256'] })` made, without its 70 modules (semver, lodash
 * parts, jws, jwa) in every process. session-token.test.ts holds both against jsonwebtoken.
 */

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Three base64url parts, the signature not empty (an unsigned `alg: none` token has none). */
const JWS_FORM = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const signatureOf = (signedPart: string, key: KeyObject): string => createHmac('sha256', key).update(signedPart).digest('base64url');

const nowInSeconds = () => Math.floor(Date.now() / 1000);

/** A token for `claims`, stamped `iat` now and `exp` `expiresInSeconds` later. */
export function signHs256(claims: Record<string, unknown>, key: KeyObject, expiresInSeconds: number): string {
  const iat = nowInSeconds();
  const payload = Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + expiresInSeconds })).toString('base64url');
  const signedPart = `${HEADER}.${payload}`;
  return `${signedPart}.${signatureOf(signedPart, key)}`;
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * The claims of a token signed with `key`, or undefined when it is not one: malformed, another
 * algorithm (the header's `alg` must be HS256, so `none` and key-confusion tricks fail), a
 * signature that does not match (compared in constant time), a payload that is not a JSON
 * object, `nbf` in the future or `exp` reached (either one present but not a number fails too).
 * A token without `exp` does not expire, as with jsonwebtoken; ours always carry one.
 */
export function verifyHs256(token: string, key: KeyObject): Record<string, unknown> | undefined {
  if (!JWS_FORM.test(token)) return undefined;
  const [header = '', payload = '', signature = ''] = token.split('.');
  const headerJson = parseJson(header);
  if (!isRecord(headerJson) || headerJson.alg !== 'HS256') return undefined;
  const expected = Buffer.from(signatureOf(`${header}.${payload}`, key));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = parseJson(payload);
  if (!isRecord(claims) || Array.isArray(claims)) return undefined;
  return withinTime(claims) ? claims : undefined;
}

/** Whether verified claims hold now: `nbf` not in the future, `exp` not reached (either one present but not a number fails). */
export function withinTime(claims: Record<string, unknown>): boolean {
  const now = nowInSeconds();
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return false;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now >= claims.exp)) return false;
  return true;
}
