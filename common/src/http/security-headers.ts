import helmet from 'helmet';

/**
 * Security headers on every answer, errors and probes included. An API answers JSON only, so its
 * policy forbids everything a document could load (helmet's default CSP is for pages); HSTS tells
 * browsers to keep to https once they have reached us over it. A plain `(req, res, next)`
 * middleware: the Express app and the probe server (no Express) both use it.
 */
export const securityHeaders = () =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
  });
