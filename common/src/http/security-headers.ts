import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Security headers on every answer, errors and probes included: what helmet 8 sets for the policy
 * below, header for header (security-headers.test.ts runs helmet itself and compares), set by one
 * function instead of helmet's twelve nested middlewares per request. An API answers JSON only,
 * so its policy forbids everything a document could load (helmet's default CSP is for pages);
 * HSTS tells browsers to keep to https once they have reached us over it. The helmet options
 * this stands for:
 *
 *   contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"],
 *     frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
 *   crossOriginResourcePolicy: { policy: 'same-origin' }, frameguard: { action: 'deny' }
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['Content-Security-Policy', "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'"],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/** Sets SECURITY_HEADERS (and, as helmet does, removes X-Powered-By). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  res.removeHeader('X-Powered-By');
}

/** The same as a plain `(req, res, next)` middleware: the probe server (no Express) uses it. */
export const securityHeaders = () => (_req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
  setSecurityHeaders(res);
  next();
};
