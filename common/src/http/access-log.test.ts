import express from 'express';
import request from 'supertest';
import { createLogger } from '../logger';
import { ServiceMetrics } from '../metrics';
import { sessionCookie, TEST_JWT_KEY } from '../testing';
import { createServiceApp } from './create-service-app';

function setup() {
  const written: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => { written.push(line); } });
  const app = createServiceApp({
    logger,
    metrics: new ServiceMetrics('test'),
    jwtKey: TEST_JWT_KEY,
    routes: (app) => {
      const router = express.Router();
      router.get('/api/things/:id', (req, res) => {
        req.log?.info({ note: 'from the handler' }, 'handler line');
        res.cookie('session', 'abc-s3cret-set-cookie').json({ id: req.params.id });
      });
      router.get('/api/boom', () => { throw new Error('boom'); });
      app.use(router);
    },
  });
  const lines = () => written.map((line) => JSON.parse(line) as Record<string, any>);
  return { app, lines, text: () => written.join('') };
}

describe('access log', () => {
  it('writes one line per request: id, method, URL, peer, status, time and the signed-in user, and no headers (so no credentials)', async () => {
    const { app, lines, text } = setup();
    const cookie = sessionCookie({ id: 'u1', email: 'a@b.co' });
    const res = await request(app).get('/api/things/t1?x=1').set('Cookie', cookie).set('Authorization', 'Bearer s3cret-bearer').set('X-Request-Id', 'req-1');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-1');

    const completed = lines().filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toEqual({
      level: 30,
      time: expect.any(String),
      name: 'test',
      service: 'test',
      req: { id: 'req-1', method: 'GET', url: '/api/things/t1?x=1', remoteAddress: expect.any(String) },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      userId: 'u1',
      msg: 'request completed',
    });
    // The handler's own line carries the request too.
    expect(lines().find((line) => line.msg === 'handler line')).toMatchObject({ note: 'from the handler', req: { id: 'req-1', method: 'GET', url: '/api/things/t1?x=1' } });
    expect(text()).not.toContain(cookie.slice('session='.length));
    expect(text()).not.toContain('s3cret');
  });

  it('leaves the user out of an anonymous request\'s line', async () => {
    const { app, lines } = setup();
    await request(app).get('/api/things/t2');
    const completed = lines().find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({ req: { url: '/api/things/t2' }, res: { statusCode: 200 } });
    expect(completed).not.toHaveProperty('userId');
  });

  it('logs a 5xx at error as "request errored", and gives each request a fresh id unless a valid one is sent', async () => {
    const { app, lines } = setup();
    const res = await request(app).get('/api/boom').set('X-Request-Id', 'not valid!');
    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const errored = lines().filter((line) => line.msg === 'request errored');
    expect(errored).toHaveLength(1);
    expect(errored[0]).toMatchObject({ level: 50, req: { id: res.headers['x-request-id'], url: '/api/boom' }, res: { statusCode: 500 }, err: { message: 'failed with status code 500' } });
  });

  it('does not log the probes', async () => {
    const { app, lines } = setup();
    await request(app).get('/healthz');
    await request(app).get('/metrics');
    expect(lines().filter((line) => line.req)).toEqual([]);
  });
});
