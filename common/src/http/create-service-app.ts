import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type Request } from 'express';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { accessLog } from './access-log';
import { currentUser } from './current-user';
import { errorHandler, notFoundHandler } from './error-handler';
import { PROBE_PATHS, readinessAnswer } from './probes';
import { securityHeaders } from './security-headers';
import { installSessionCookie } from './session';
import { installJsonAnswers } from './send-json-text';
import { weakETag } from './weak-etag';

/** A named dependency `GET /readyz` checks; it throws or rejects when unreachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

export interface ServiceAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Verifies session JWTs; a service without user-facing routes (expiration) leaves it out. */
  jwtKey?: string;
  /** How long a session cookie lives; matches the JWT's expiry. */
  sessionMaxAgeMs?: number;
  readiness?: ReadinessCheck[];
  /** Express `trust proxy` setting (config TRUST_PROXY; default: loopback, i.e. the local gateway). */
  trustProxy?: boolean | number | string;
  /** False while shutting down, so load balancers stop sending traffic before we close. */
  isAcceptingTraffic?: () => boolean;
  /** Mounts the service's routes. */
  routes(app: Express): void;
}

/**
 * The Express app every service shares: request ids and logs, JSON bodies (100 kB max),
 * the session cookie and current user, health/readiness/metrics, then the service's routes,
 * a 404 for anything else and the SPEC's error shape for every error. No I/O here.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', weakETag);
  installJsonAnswers(app);
  // Behind the gateway or ingress, X-Forwarded-Proto decides whether cookies are `secure` and
  // X-Forwarded-For gives the client's IP (rate limits). Only the configured hops (loopback by
  // default: the local gateway) are trusted, so a neighbour on the network cannot pick its own
  // IP or claim https by sending the headers itself.
  app.set('trust proxy', options.trustProxy ?? 'loopback');
  app.use(securityHeaders());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { status, body } = await readinessAnswer(options);
    res.status(status).json(body);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // The access line and the request's duration (by route pattern) from one listener.
  app.use(accessLog(app, { logger, ignore: PROBE_PATHS, metrics }));
  // The exact bytes are kept for routes that verify a signature over them (payments' Stripe webhook).
  const json = express.json({ limit: '100kb', verify: keepRawBody });
  // A request without Content-Length or Transfer-Encoding has no body (type-is's `hasBody`, the
  // parser's own first check): most requests (GETs) skip the parser's per-request set-up.
  app.use((req, res, next) => {
    if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) next();
    else json(req, res, next);
  });
  if (options.jwtKey) {
    // cookie-session's cookie (httpOnly, sameSite lax, `secure` over https), decoded only when read.
    installSessionCookie(app, { maxAgeMs: options.sessionMaxAgeMs ?? 7 * 24 * 3600_000 });
    app.use(currentUser(options.jwtKey));
  }

  options.routes(app);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

const RAW_BODY = Symbol('rawBody');

function keepRawBody(req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  (req as IncomingMessage & { [RAW_BODY]?: Buffer })[RAW_BODY] = body;
}

/** The unparsed bytes of a JSON request body (empty when there was none). */
export const rawBodyOf = (req: Request): Buffer => (req as Request & { [RAW_BODY]?: Buffer })[RAW_BODY] ?? Buffer.alloc(0);
