/**
 * CLI: `node infra/local/dist/gateway-main.js`, configured by the environment:
 *   GATEWAY_PORT (8080), GATEWAY_HOST (127.0.0.1), LOG_LEVEL (info),
 *   GATEWAY_UPSTREAMS  JSON: service name → replicas, each a base URL or `unix:` and a socket path,
 *                      e.g. {"auth":["http://127.0.0.1:3001"],"orders":["unix:/tmp/microtick-x/orders.sock"]}
 *   ROUTES_FILE        the routing table (infra/routes.yaml)
 * The local runner (start.ts / startStack) starts it; it is rarely run by hand.
 */
// The subpaths, not the index: the gateway needs neither the database, the bus nor Express.
import { loadConfig } from '@microtick/common/config';
import { createLogger } from '@microtick/common/logger';
import { z } from 'zod';
import { startGateway } from './gateway';
import { defaultRouteTableFile, loadRouteTable } from './routes';

const unixSocketTarget = z.string().regex(/^unix:\/\S+$/, 'unix: and an absolute path');
const upstreamsSchema = z.record(z.string(), z.array(z.union([z.url({ protocol: /^https?$/ }), unixSocketTarget])).min(1));

const gatewayConfigSchema = z.object({
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROUTES_FILE: z.string().min(1).default(defaultRouteTableFile),
  GATEWAY_UPSTREAMS: z.string().transform((text, ctx) => {
    try {
      return upstreamsSchema.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON mapping each service to a list of http URLs or unix: socket paths' });
      return z.NEVER;
    }
  }),
});

async function main(): Promise<void> {
  const config = loadConfig(gatewayConfigSchema);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const gateway = await startGateway({
    routes: loadRouteTable(config.ROUTES_FILE),
    upstreams: config.GATEWAY_UPSTREAMS,
    logger,
    port: config.GATEWAY_PORT,
    host: config.GATEWAY_HOST,
  });
  logger.info({ url: gateway.url }, 'gateway ready');
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
