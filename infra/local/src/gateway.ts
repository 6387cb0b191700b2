import { randomUUID } from 'node:crypto';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeServer, listen } from '@microtick/common';
import express, { type Express } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import { apiDocsRouter, EDGE_SECURITY_HEADERS, unknownApiPath } from './api-edge';
import { routeFor, type RouteTable } from './routes';
import { UpstreamPool } from './upstream-pool';

export interface GatewayOptions {
  routes: RouteTable;
  /** Base URLs of every replica of every service the table names, e.g. `{ orders: ['http://127.0.0.1:3003'] }`. */
  upstreams: Readonly<Record<string, readonly string[]>>;
  logger: Logger;
  /** How long a replica that refused a connection is skipped. */
  cooldownMs?: number;
  /** An upstream that sends no answer for this long gets a 504 (ingress-nginx's default: 60 s). */
  proxyTimeoutMs?: number;
  /** Where openapi.json and asyncapi.yaml are (default: the repository's docs/), served at /api/docs. */
  apiDocsFolder?: string;
}

export interface Gateway {
  app: Express;
  /** Hand the server's `upgrade` events (websockets, e.g. Next's dev reloads) to this. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes the idle connections kept open to the upstreams. */
  closeUpstreamConnections(): void;
}

/** Headers only the edge may set: a client sending them could fake its address or https. */
const EDGE_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip'];
const REQUEST_ID = /^[\w.-]{1,100}$/;
/** Below Node's default server keep-alive timeout (5 s); a shorter `Keep-Alive: timeout` hint wins. */
const UPSTREAM_IDLE_TIMEOUT_MS = 4_000;
/** Errors that mean nothing answered at that address: try another replica next time. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface Choice {
  service: string;
  target: string;
}

/**
 * The local stand-in for the Kubernetes ingress: routes each request by path prefix (the
 * shared table in infra/routes.yaml) to one replica of a service, round-robin. Bodies are
 * streamed through untouched. Like ingress-nginx, it replaces any X-Forwarded-* headers the
 * client sent with what it saw itself (so services' `secure` cookies and client IPs behave as
 * in production) and makes sure every request carries an X-Request-Id. It answers two things
 * itself: the API description at /api/docs, and a JSON 404 for /api paths no service claims.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { routes, logger } = options;
  const pools = new Map<string, UpstreamPool>();
  for (const service of Object.keys(routes.services)) {
    const targets = options.upstreams[service];
    if (!targets?.length) throw new Error(`no upstream address for service "${service}"`);
    pools.set(service, new UpstreamPool(targets, options.cooldownMs));
  }
  const choices = new WeakMap<IncomingMessage, Choice>();
  const timedOut = new WeakSet<IncomingMessage>();

  const choose = (req: IncomingMessage): string => {
    const { service } = routeFor(routes, pathOf(req));
    const target = (pools.get(service) as UpstreamPool).pick();
    choices.set(req, { service, target });
    return target;
  };

  const onError = (err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket) => {
    const choice = choices.get(req);
    if (choice && err.code && UNREACHABLE.has(err.code)) pools.get(choice.service)?.markDown(choice.target);
    logger.warn({ err: { code: err.code, message: err.message }, url: req.url, ...choice }, 'upstream failed');
    if (!('writeHead' in res)) {
      res.destroy();
      return;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = timedOut.has(req) ? 504 : 502;
    const message = status === 504 ? `The ${choice?.service ?? 'upstream'} service did not answer in time` : `The ${choice?.service ?? 'upstream'} service is unavailable, try again shortly`;
    if (isApiPath(pathOf(req))) {
      const body = JSON.stringify({ errors: [{ message }] });
      res.writeHead(status, { ...EDGE_SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(status, { ...EDGE_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${message}.\n`);
    }
  };

  // Without an agent, http-proxy asks every upstream for `Connection: close` and hands that
  // answer to the client too: each request then cost two new TCP connections and the client's
  // keep-alive was dropped (ingress-nginx keeps both sides alive). An idle upstream connection
  // is closed by us before the upstream closes it (Node servers: after 5 s), else a request can
  // be sent on a connection the upstream is closing and get a 502. Node 20's agent ignores the
  // server's Keep-Alive hint unless `timeout` is set, so it is set here.
  const upstreamAgent = new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_TIMEOUT_MS });
  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    router: choose,
    agent: upstreamAgent,
    xfwd: true,
    proxyTimeout: options.proxyTimeoutMs ?? 60_000,
    on: {
      proxyReq: (proxyReq, req) => {
        proxyReq.on('timeout', () => timedOut.add(req));
      },
      error: onError,
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, _res, next) => {
    prepareHeaders(req);
    next();
  });
  app.use(apiDocsRouter(options.apiDocsFolder));
  app.use(unknownApiPath(routes));
  app.use(proxy);

  return {
    app,
    upgrade: (req, socket, head) => {
      prepareHeaders(req);
      proxy.upgrade(req, socket as Socket, head);
    },
    closeUpstreamConnections: () => upstreamAgent.destroy(),
  };
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (0 = any free one) on `host`. */
export async function startGateway(options: GatewayOptions & { port: number; host?: string }): Promise<RunningGateway> {
  const gateway = createGateway(options);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await listen(gateway.app, options.port, host);
  server.on('upgrade', gateway.upgrade);
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await closeServer(server);
      gateway.closeUpstreamConnections();
    },
  };
}

function prepareHeaders(req: IncomingMessage): void {
  for (const name of EDGE_HEADERS) delete req.headers[name];
  const requestId = req.headers['x-request-id'];
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) req.headers['x-request-id'] = randomUUID();
}

const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] as string;

const isApiPath = (pathname: string): boolean => pathname === '/api' || pathname.startsWith('/api/');
