import type { Express, Request, Response } from 'express';

/**
 * Answers with JSON already written as text (e.g. by Postgres) exactly as `res.type('json')` +
 * `res.send(text)` would: `Content-Type: application/json; charset=utf-8`, `Content-Length`, the
 * app's ETag function (unless an ETag is set), 304 and no body when the request's validators
 * match (`req.fresh`), no body for HEAD, none of the entity headers with a 204/304 — without
 * Express's per-answer MIME lookup and Content-Type parse-and-format for the charset. One
 * difference: only an answer to GET or HEAD gets an ETag (see `revalidatable`).
 * send-json-text.test.ts holds the two side by side.
 */
export function sendJsonText(req: Request, res: Response, json: string): void {
  const body = Buffer.from(json, 'utf8');
  sendJsonBody(req, res, { body, etag: !revalidatable(req) || res.getHeader('ETag') ? undefined : etagOf(req.app, body) });
}

/**
 * Whether a client can revalidate this answer: an ETag serves a later GET or HEAD with
 * If-None-Match (a 304 instead of the body). Express tags every answer it sends a body with,
 * POSTs' included, where the tag describes a one-off answer (the order just created, an error)
 * that no request can be conditional on (RFC 9110 §13.1.2: If-None-Match makes a 304 of a GET or
 * HEAD only); hashing those bodies was ~1 % of a POST's CPU for a header nothing reads.
 */
const revalidatable = (req: Request): boolean => req.method === 'GET' || req.method === 'HEAD';

/** JSON text as sendJsonBody sends it: its UTF-8 bytes, and the app's ETag for them (if the app makes ETags). */
export interface JsonBody {
  body: Buffer;
  etag: string | undefined;
}

/** `json` ready to be sent again and again (a cache keeps it): encoded and its ETag computed once. */
export function jsonBodyOf(app: Request['app'], json: string): JsonBody {
  const body = Buffer.from(json, 'utf8');
  return { body, etag: etagOf(app, body) };
}

/** The app's ETag function (`etag` setting) applied to `body`, as res.send does. */
function etagOf(app: Request['app'], body: Buffer): string | undefined {
  const etagFn = app.get('etag fn') as ((body: Buffer) => string | undefined) | undefined;
  return typeof etagFn === 'function' ? etagFn(body) : undefined;
}

/** sendJsonText for JSON already encoded, with its ETag (jsonBodyOf): an ETag the route set itself wins. */
export function sendJsonBody(req: Request, res: Response, { body, etag }: JsonBody): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(body.length));
  if (etag && revalidatable(req) && !res.getHeader('ETag')) res.setHeader('ETag', etag);
  if (req.fresh) res.statusCode = 304;
  if (res.statusCode === 204 || res.statusCode === 304) {
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return;
  }
  if (res.statusCode === 205) {
    res.setHeader('Content-Length', '0');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return;
  }
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * `res.json` of `app`'s answers through sendJsonText: the same bytes and headers as Express's
 * (JSON.stringify, `application/json; charset=utf-8`, length, ETag, 304, HEAD), cheaper per
 * answer. Anything unusual — a Content-Type the route set itself, the app's `json replacer`,
 * `json spaces` or `json escape` settings, a value JSON.stringify leaves undefined — goes to
 * Express's own `res.json`. Set on the app's response prototype, so no other app is touched.
 */
export function installJsonAnswers(app: Express): void {
  const expressJson = app.response.json;
  const json = function (this: Response, value: unknown): Response {
    if (this.getHeader('Content-Type') !== undefined || app.get('json replacer') || app.get('json spaces') || app.get('json escape')) {
      return expressJson.call(this, value);
    }
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return expressJson.call(this, value);
    sendJsonText(this.req, this, text);
    return this;
  };
  Object.defineProperty(app.response, 'json', { value: json, configurable: true, writable: true });
}
