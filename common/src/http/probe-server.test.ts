import request from 'supertest';
import { testAppDeps } from '../testing';
import { createServiceApp } from './create-service-app';
import { createProbeServer } from './probe-server';

/** What a client can observe of an answer, less what differs per request (date, etag, request id). */
const observable = (res: request.Response) => {
  const { date: _date, etag: _etag, 'x-request-id': _id, connection: _c, 'keep-alive': _k, 'content-length': _l, ...headers } = res.headers;
  return { status: res.status, headers, body: res.body as unknown, text: res.type === 'text/plain' ? '' : res.text };
};

describe('createProbeServer', () => {
  const readiness = (ok: boolean) => [
    { name: 'nats', check: async () => undefined },
    { name: 'redis', check: async () => { if (!ok) throw new Error('Connection is closed.'); } },
  ];
  const both = (options: { ready?: boolean; accepting?: boolean } = {}) => {
    const deps = { ...testAppDeps(), readiness: readiness(options.ready ?? true), isAcceptingTraffic: () => options.accepting ?? true };
    return { express: createServiceApp({ ...deps, routes: () => undefined }), probes: createProbeServer(deps) };
  };

  it.each([
    ['GET', '/healthz', {}],
    ['GET', '/readyz', {}],
    ['GET', '/readyz?verbose=1', { ready: false }],
    ['GET', '/readyz', { accepting: false }],
    ['HEAD', '/healthz', {}],
    ['GET', '/api/expirations', {}],
    ['POST', '/healthz', {}],
    ['DELETE', '/', {}],
  ] as const)('answers %s %s (%o) exactly as the Express app does, security headers included', async (method, path, options) => {
    const { express, probes } = both(options);
    const send = (app: Parameters<typeof request>[0]) => (method === 'HEAD' ? request(app).head(path) : request(app)[method === 'GET' ? 'get' : method === 'POST' ? 'post' : 'delete'](path));
    const [fromExpress, fromProbes] = [observable(await send(express)), observable(await send(probes))];
    expect(fromProbes).toEqual(fromExpress);
    expect(fromProbes.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the same Prometheus metrics', async () => {
    const deps = testAppDeps();
    const res = await request(createProbeServer(deps)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(deps.metrics.registry.contentType);
    expect(res.text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
  });
});
