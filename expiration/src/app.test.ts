import { ServiceMetrics } from '@microtick/common';
import { silentLogger } from '@microtick/common/testing';
import request from 'supertest';
import { buildApp } from './app';
import { registerExpirationMetrics } from './expiration/expiration-metrics';

const appWith = (readiness = [{ name: 'redis', check: async () => 'PONG' }]) => {
  const metrics = new ServiceMetrics('expiration');
  registerExpirationMetrics(metrics.registry);
  return buildApp({ logger: silentLogger, metrics, readiness });
};

describe('expiration HTTP', () => {
  it('answers readiness with the checks startService composed', async () => {
    const response = await request(appWith([{ name: 'redis', check: () => Promise.reject(new Error('Connection is closed.')) }])).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.checks).toEqual([{ name: 'redis', ok: false, error: 'Connection is closed.' }]);
  });

  it('is alive, exposes its expiration metrics, and answers anything else with a 404 in the error shape', async () => {
    const app = appWith();
    expect((await request(app).get('/healthz')).status).toBe(200);
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/^expirations_published_total/m);
    expect(metrics.text).toMatch(/^expiration_lateness_seconds_bucket/m);
    const unknown = await request(app).post('/api/expirations').send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: [{ message: expect.any(String) }] });
  });
});
