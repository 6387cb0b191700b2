import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeServer } from '@microtick/common/http/listen';
import type { Logger } from 'pino';
import { EDGE_SECURITY_HEADERS, isApiPath, loadApiDocs, sendEdgeDocument, sendEdgeError } from './api-edge';
import { forward, forwardUpgrade, upstreamAddress, UpstreamAgent, type UpstreamAddress } from './forward';
import { routeFor, type RouteTable } from './routes';
import { UpstreamPool } from './upstream-pool';

export interface GatewayOptions {
  routes: RouteTable;
  /**
   * Where every replica of every service the table names listens: a base URL, or the unix socket
   * the local runner gives it, e.g. `{ orders: ['http://127.0.0.1:3003'], tickets: ['unix:/tmp/microtick-x/tickets.sock'] }`.
   */
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
  /** The server's `request` handler. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Hand the server's `upgrade` events (websockets, e.g. Next's dev reloads) to this. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes the idle connections kept open to the upstreams. */
  closeUpstreamConnections(): void;
}

/** Below Node's default server keep-alive timeout (5 s); a shorter `Keep-Alive: timeout` hint wins. */
const UPSTREAM_IDLE_TIMEOUT_MS = 4_000;
/** Errors that mean nothing answered at that address (ENOENT: a unix socket its service removed on stopping): try another replica next time. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/**
 * The local stand-in for the Kubernetes ingress: routes each request by path prefix (the
 * shared table in infra/routes.yaml) to one replica of a service, round-robin. Bodies are
 * streamed through untouched. Like ingress-nginx, it replaces any X-Forwarded-* headers the
 * client sent with what it saw itself (so services' `secure` cookies and client IPs behave as
 * in production) and makes sure every request carries an X-Request-Id. It answers two things
 * itself: the API description at /api/docs, and a JSON 404 for /api paths no service claims.
 *
 * Plain node:http, no framework: every API request crosses this hop, and Express's router plus
 * http-proxy cost about as much CPU per request as the listing itself (docs/benchmarks-history.md,
 * "Wave 3 — HTTP path").
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { routes, logger } = options;
  const pools = new Map<string, UpstreamPool>();
  const addresses = new Map<string, UpstreamAddress>();
  for (const service of Object.keys(routes.services)) {
    const targets = options.upstreams[service];
    if (!targets?.length) throw new Error(`no upstream address for service "${service}"`);
    pools.set(service, new UpstreamPool(targets, options.cooldownMs));
    for (const target of targets) addresses.set(target, upstreamAddress(target));
  }
  const docs = loadApiDocs(options.apiDocsFolder);
  const timeoutMs = options.proxyTimeoutMs ?? 60_000;

  /** The replica for this request's path. */
  const choose = (pathname: string) => {
    const { service } = routeFor(routes, pathname);
    const target = (pools.get(service) as UpstreamPool).pick();
    return { service, target, address: addresses.get(target) as UpstreamAddress };
  };

  /** An upstream that failed: skipped for a while if nothing answered there. */
  const upstreamFailed = (err: NodeJS.ErrnoException, req: IncomingMessage, service: string, target: string) => {
    if (err.code && UNREACHABLE.has(err.code)) pools.get(service)?.markDown(target);
    logger.warn({ err: { code: err.code, message: err.message }, url: req.url, service, target }, 'upstream failed');
  };

  // Kept-alive upstream connections, as ingress-nginx keeps them (a new TCP connection per
  // request cost more than the proxying). An idle one is closed by us before the upstream closes
  // it (Node servers: after 5 s), else a request can be sent on a connection the upstream is
  // closing and get a 502. Node 20's agent ignores the server's Keep-Alive hint unless `timeout`
  // is set, so it is set here (UpstreamAgent keeps that rule).
  const upstreamAgent = new UpstreamAgent(UPSTREAM_IDLE_TIMEOUT_MS);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const pathname = pathOf(req);
    const document = docs.get(pathname);
    if (document && (req.method === 'GET' || req.method === 'HEAD')) {
      sendEdgeDocument(res, document, req.method === 'HEAD');
      return;
    }
    const { prefix, service } = routeFor(routes, pathname);
    const api = isApiPath(pathname);
    if (api && !isApiPath(prefix)) {
      // Else it would fall through to the web client's catch-all and get its HTML 404.
      sendEdgeError(res, 404, 'Route not found');
      return;
    }
    const target = (pools.get(service) as UpstreamPool).pick();
    forward(req, res, addresses.get(target) as UpstreamAddress, {
      agent: upstreamAgent,
      timeoutMs,
      onError: (err) => {
        upstreamFailed(err, req, service, target);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const status = err.code === 'ETIMEDOUT' ? 504 : 502;
        const message = status === 504 ? `The ${service} service did not answer in time` : `The ${service} service is unavailable, try again shortly`;
        if (api) {
          sendEdgeError(res, status, message);
        } else {
          res.writeHead(status, { ...EDGE_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
          res.end(`${message}.\n`);
        }
      },
    });
  };

  return {
    handle,
    upgrade: (req, socket, head) => {
      const { service, target, address } = choose(pathOf(req));
      forwardUpgrade(req, socket, head, address, (err) => upstreamFailed(err, req, service, target));
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
  const server = createServer(gateway.handle);
  server.on('upgrade', gateway.upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await closeServer(server);
      gateway.closeUpstreamConnections();
    },
  };
}

const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0] as string;
