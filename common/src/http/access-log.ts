import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, Request, RequestHandler } from 'express';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id: the caller's `X-Request-Id` when well formed, else a new UUID (echoed back). */
    id?: string;
    /** A logger whose lines carry this request (`req`), made on first use. */
    log?: Logger;
  }
}

const REQUEST_ID = /^[\w.-]{1,100}$/;

export interface AccessLogOptions {
  logger: Logger;
  /** Paths answered without an access line (probes). */
  ignore: ReadonlySet<string>;
  /** Where each finished request's duration goes (by method, route pattern and status). */
  metrics?: ServiceMetrics;
}

/**
 * One line per answered request (`request completed` at info, `request errored` at error with
 * `err` for a 5xx; pino-http's message, `req` / `res` / `responseTime` fields), an `X-Request-Id`
 * on every answer, and `req.log` for handlers. The line says what an operator looks for, as an
 * ingress or Envoy access log does: the request's id, method, URL and peer, the status, the
 * duration in ms and the signed-in user (`userId`) — not every request and response header, which
 * made each line ~1.5 kB to build, redact and serialize on every request (the edge logs the
 * client's own headers; the request id joins its line to ours). Unlike pino-http it does not make
 * a child logger per request: `req.log` is made on first use. The request's duration goes to
 * `metrics` from the same listener (a finished answer only, by route pattern, not raw URL, so ids
 * do not explode the label set): one 'close' listener per request, which a ServerResponse emits
 * after 'finish', or alone when the client went away first.
 */
export function accessLog(app: Express, options: AccessLogOptions): RequestHandler {
  const { logger, ignore } = options;
  const childLogs = new WeakMap<IncomingMessage, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let log = childLogs.get(this);
      if (!log) {
        log = logger.child({ req: requestLogFields(this) });
        childLogs.set(this, log);
      }
      return log;
    },
  });

  const duration = options.metrics?.httpRequestDuration;
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    const startedAt = performance.now();
    // A ServerResponse emits 'close' once.
    res.on('close', () => {
      const elapsedMs = performance.now() - startedAt;
      if (duration && res.writableFinished) {
        const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
        duration.observe({ method: req.method, route, status: String(res.statusCode) }, elapsedMs / 1000);
      }
      if (!ignore.has(req.url)) logResponse(logger, req, res, Math.round(elapsedMs));
    });
    next();
  };
}

function logResponse(logger: Logger, req: Request, res: ServerResponse, responseTime: number): void {
  const fields = {
    req: requestLogFields(req),
    res: { statusCode: res.headersSent ? res.statusCode : null },
    responseTime,
    userId: req.currentUser?.id,
  };
  if (res.statusCode >= 500) {
    logger.error({ ...fields, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  } else {
    logger.info(fields, 'request completed');
  }
}

/** The request in the access line and in the lines of `req.log`. */
const requestLogFields = (req: Request) => ({
  id: req.id,
  method: req.method,
  url: req.originalUrl || req.url,
  remoteAddress: req.socket?.remoteAddress,
});
