import { ServiceMetrics } from '@microtick/common';
import { silentLogger } from '@microtick/common/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import { buildApp } from './app';
import { registerExpirationMetrics } from './expiration-metrics';
import { createExpirationTestKit, REDIS_URL, type ExpirationTestKit } from './testing/expiration-test-kit';

let kit: ExpirationTestKit;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(() => kit.destroy());

const appWith = (redis: Pick<Redis, 'ping'> = kit.redis) => {
  const metrics = new ServiceMetrics('expiration');
  registerExpirationMetrics(metrics.registry);
  return buildApp({ logger: silentLogger, metrics, redis, bus: kit.bus });
};

describe('expiration HTTP', () => {
  it('is ready when NATS and Redis answer', async () => {
    const response = await request(appWith()).get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body.checks).toEqual([
      { name: 'nats', ok: true },
      { name: 'redis', ok: true },
    ]);
  });

  it('is not ready when Redis does not answer', async () => {
    const lost = new Redis(REDIS_URL);
    await lost.quit();
    const response = await request(appWith(lost)).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.checks).toContainEqual({ name: 'redis', ok: false, error: 'Connection is closed.' });
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
