/**
 * One server of http-chain-cost.ts, built from the tree it is given (its common/ or
 * infra/local/ dist), so two builds run side by side:
 *
 *   node bench/dist/http-chain-server.js service <tree> <socket>
 *     createServiceApp with a route shaped like POST /api/orders (session, requireAuth, the
 *     per-user limiter, validate, a 201 JSON answer), on a unix socket as the local runner runs it;
 *   node bench/dist/http-chain-server.js gateway <tree> <port> <upstream socket>
 *     the local gateway, every service routed to the one upstream;
 *   node bench/dist/http-chain-server.js upstream <socket>
 *     a stand-in for orders behind the gateway: the answer a real POST /api/orders gets, its
 *     headers included, from plain node:http.
 *
 * Each prints `ready` on stderr when it listens; its log lines go to stdout (a pipe the parent
 * drains, as the local runner's).
 */
import { createServer } from 'node:http';
import path from 'node:path';

const [mode, ...args] = process.argv.slice(2);
// Exit (rather than die) on the parent's kill, so `--cpu-prof` writes its profile.
process.once('SIGTERM', () => process.exit(0));

/** What POST /api/orders answers (toOrderJson), as bytes. */
export const ORDER_JSON = JSON.stringify({
  id: '5b0c8f43-6f6e-4a0f-9d1e-2f1f0c7e4b11',
  userId: '0e5c3f0a-31a2-4b3c-8a55-7d4b2c9e6f10',
  status: 'created',
  expiresAt: '2026-12-01T08:15:00.000Z',
  version: 0,
  ticket: { id: '9a7d1c2e-4b5f-4e6a-8c3d-1f2e3a4b5c6d', title: 'Concert #123', price: 25 },
});

/** The headers createServiceApp sends with that answer (main, 054816a), less Date and framing. */
const ORDER_ANSWER_HEADERS: string[] = [
  'Content-Security-Policy', "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
  'Cross-Origin-Opener-Policy', 'same-origin',
  'Cross-Origin-Resource-Policy', 'same-origin',
  'Origin-Agent-Cluster', '?1',
  'Referrer-Policy', 'no-referrer',
  'Strict-Transport-Security', 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options', 'nosniff',
  'X-DNS-Prefetch-Control', 'off',
  'X-Download-Options', 'noopen',
  'X-Frame-Options', 'DENY',
  'X-Permitted-Cross-Domain-Policies', 'none',
  'X-XSS-Protection', '0',
  'x-request-id', '1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  'RateLimit', '"orders-per-user"; r=19; t=60',
  'RateLimit-Policy', '"orders-per-user"; q=20; w=60; pk=:ZDQ3ZTk2YzE2YjAy:',
  'Content-Type', 'application/json; charset=utf-8',
  'Content-Length', String(Buffer.byteLength(ORDER_JSON)),
  'ETag', 'W/"f4-Yb0ZyQ3dC7hX2v8n1q6sJk9mPwE"',
];

function ready(): void {
  process.stderr.write('ready\n');
}

async function service(tree: string, socket: string): Promise<void> {
  const common = require(path.join(tree, 'common/dist/index.js')) as typeof import('@microtick/common');
  const { z } = require(path.join(tree, 'node_modules/zod')) as typeof import('zod');
  const express = require(path.join(tree, 'node_modules/express')) as typeof import('express');
  const { listenOnSocket } = require(path.join(tree, 'common/dist/http/listen.js')) as typeof import('@microtick/common/http/listen');
  const jwtKey = process.env.BENCH_JWT_KEY as string;
  const logger = common.createLogger('orders');
  const body = z.object({ ticketId: z.string().trim().min(1, 'A ticket id is required') });
  const order = JSON.parse(ORDER_JSON) as Record<string, unknown>;
  const app = common.createServiceApp({
    logger,
    metrics: new common.ServiceMetrics('orders'),
    jwtKey,
    routes: (app) => {
      const router = express.Router();
      const schemas = { body };
      router.post(
        '/api/orders',
        common.requireAuth,
        common.perMinuteLimiter({
          policy: 'orders-per-user',
          limit: 1_000_000_000,
          message: 'Too many orders; try again in a minute',
          keyGenerator: (req) => `user:${common.userOf(req).id}`,
        }),
        common.validate(schemas),
        (req, res) => {
          const { ticketId } = common.validated(req, schemas).body;
          res.status(201).json({ ...order, userId: common.userOf(req).id, ticket: { ...(order.ticket as object), id: ticketId } });
        },
      );
      app.use(router);
    },
  });
  await listenOnSocket(app, socket);
  ready();
}

async function gateway(tree: string, port: string, upstreamSocket: string): Promise<void> {
  const { startGateway } = require(path.join(tree, 'infra/local/dist/gateway.js')) as typeof import('@microtick/local/dist/gateway');
  const { loadRouteTable } = require(path.join(tree, 'infra/local/dist/routes.js')) as typeof import('@microtick/local/dist/routes');
  const { createLogger } = require(path.join(tree, 'common/dist/logger.js')) as typeof import('@microtick/common/logger');
  const routes = loadRouteTable(path.join(tree, 'infra/routes.yaml'));
  const upstreams = Object.fromEntries(Object.keys(routes.services).map((service) => [service, [`unix:${upstreamSocket}`]]));
  await startGateway({ routes, upstreams, logger: createLogger('gateway'), port: Number(port) });
  ready();
}

function upstream(socket: string): void {
  const body = Buffer.from(ORDER_JSON);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, ORDER_ANSWER_HEADERS);
      res.end(body);
    });
  });
  server.listen(socket, ready);
}

if (mode === 'service') void service(args[0] as string, args[1] as string);
else if (mode === 'gateway') void gateway(args[0] as string, args[1] as string, args[2] as string);
else if (mode === 'upstream') upstream(args[0] as string);
else {
  console.error('usage: http-chain-server.js service <tree> <socket> | gateway <tree> <port> <upstream socket> | upstream <socket>');
  process.exit(2);
}
