import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';

export interface JsonBodyOptions {
  /** The largest body read, in bytes (a longer one is a 413). */
  limit: number;
  /** Called with the body's exact bytes before they are parsed (payments keeps them for the Stripe signature). */
  verify(req: IncomingMessage, res: ServerResponse, body: Buffer): void;
}

/** The Content-Types read here; any other (a charset other than UTF-8, a `+json` type, parameters) goes to body-parser. */
const PLAIN_JSON = new Set(['application/json', 'application/json; charset=utf-8']);
const DECIMAL = /^\d{1,9}$/;
const BYTE_ORDER_MARK = 0xfeff;
/** JSON's whitespace (RFC 8259), then what strict mode allows at the top. */
const OBJECT_OR_ARRAY = /^[\x20\x09\x0a\x0d]*[{[]/;

/**
 * Reads JSON request bodies into `req.body` as `express.json({ limit, verify })` does — its strict
 * mode, `{}` for an empty body, its errors (`status` and `type`, which errorHandler turns into the
 * SPEC's error shape) — but reads the usual request itself: a JSON body of known length, neither
 * compressed nor chunked, in UTF-8. That is every request of the API's clients; body-parser's
 * per-request set-up (type-is, content-type parse, raw-body's stream handling, iconv) was ~12 %
 * of a small POST's CPU in the service chain. Anything else (Transfer-Encoding, Content-Encoding,
 * another charset or media type, a length over the limit) is body-parser's, as before.
 * json-body.test.ts holds the two side by side. A request without Content-Length or
 * Transfer-Encoding has no body (type-is's `hasBody`): it is passed on untouched.
 */
export function jsonBodies(options: JsonBodyOptions): RequestHandler {
  const bodyParser = express.json({ limit: options.limit, verify: options.verify });
  return (req, res, next) => {
    const { headers } = req;
    const length = headers['content-length'];
    if (headers['transfer-encoding'] === undefined && length === undefined) {
      next();
      return;
    }
    const type = headers['content-type'];
    if (
      length === undefined || headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined ||
      type === undefined || !PLAIN_JSON.has(type.toLowerCase()) ||
      !DECIMAL.test(length) || Number(length) > options.limit || req.readableEnded
    ) {
      bodyParser(req, res, next);
      return;
    }
    readBody(req, Number(length), (err, body) => {
      if (err) {
        next(err);
        return;
      }
      try {
        options.verify(req, res, body);
      } catch (verifyErr) {
        next(clientError(403, verifyErr, (verifyErr as { type?: string }).type ?? 'entity.verify.failed'));
        return;
      }
      try {
        req.body = parseStrict(body);
      } catch (parseErr) {
        next(clientError(400, parseErr, 'entity.parse.failed'));
        return;
      }
      next();
    });
  };
}

/** The body's bytes (Node's parser ends the stream after exactly Content-Length bytes, or aborts it). */
function readBody(req: IncomingMessage, length: number, done: (err: Error | undefined, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let finished = false;
  const finish = (err: Error | undefined) => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onAbort);
    req.off('close', onAbort);
    done(err, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
  };
  const onData = (chunk: Buffer) => chunks.push(chunk);
  const onEnd = () => finish(undefined);
  // An error or a close before the end: the client went away mid-body (raw-body's `request.aborted`).
  const onAbort = () => finish(clientError(400, new Error('request aborted'), 'request.aborted', 'ECONNABORTED'));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAbort);
  req.on('close', onAbort);
}

/**
 * body-parser's strict JSON: UTF-8 (a leading byte order mark dropped, as iconv-lite does), an
 * empty body is `{}`, anything but an object or an array at the top is a syntax error.
 */
function parseStrict(body: Buffer): unknown {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1);
  if (text.length === 0) return {};
  if (!OBJECT_OR_ARRAY.test(text)) throw new SyntaxError('JSON body must be an object or an array (strict mode)');
  return JSON.parse(text) as unknown;
}

/** An error in body-parser's (http-errors') convention: `status`, `type`, and errorHandler's 4xx. */
function clientError(status: number, cause: unknown, type: string, code?: string): Error {
  const err = cause instanceof Error ? cause : new Error(String(cause));
  return Object.assign(err, { status, statusCode: status, expose: true, type, ...(code ? { code } : {}) });
}
