import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { readinessAnswer, type ReadinessOptions } from './probes';
import { securityHeaders } from './security-headers';

export interface ProbeServerOptions extends ReadinessOptions {
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * The HTTP side of a service with no routes of its own (expiration): `GET /healthz`, `/readyz`
 * and `/metrics` answered as createServiceApp answers them (same bodies, same security headers),
 * anything else a 404 in the error shape. On node:http rather than Express: a service that serves
 * nothing else does not load Express and its ~130 modules (about 5 MB resident).
 */
export function createProbeServer(options: ProbeServerOptions): RequestListener {
  const { logger, metrics } = options;
  const headers = securityHeaders();
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const probe = req.method === 'GET' || req.method === 'HEAD' ? path : undefined;
    if (probe === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (probe === '/readyz') {
      const { status, body } = await readinessAnswer(options);
      return sendJson(res, status, body);
    }
    if (probe === '/metrics') return send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
    const end = metrics.httpRequestDuration.startTimer();
    sendJson(res, 404, { errors: [{ message: 'Route not found' }] });
    end({ method: req.method ?? '', route: 'unmatched', status: '404' });
    logger.info({ req: { method: req.method, url: req.url }, res: { statusCode: 404 } }, 'request completed');
  };
  return (req, res) => {
    headers(req, res, () => {
      answer(req, res).catch((err: unknown) => {
        logger.error({ err }, 'probe failed');
        if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Something went wrong' }] });
        else res.destroy();
      });
    });
  };
}

const sendJson = (res: ServerResponse, status: number, body: unknown): void => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
