import express from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { z } from 'zod';
import { BadRequestError } from '../errors/http-errors';
import { sessionCookie, testAppDeps, TEST_JWT_KEY } from '../testing';
import { requireAuth, userOf } from './current-user';
import { createServiceApp } from './create-service-app';
import { validate } from './validate';
import { closeServer, listen } from './listen';

const thingSchema = z.object({
  name: z.string({ error: 'Name is required' }).trim().min(1, 'Name is required'),
  count: z.number({ error: 'Count must be a positive integer' }).int('Count must be a positive integer').min(1, 'Count must be a positive integer'),
});

function setup(options: { ready?: boolean } = {}) {
  const app = createServiceApp({
    ...testAppDeps(),
    readiness: [{ name: 'database', check: async () => { if (options.ready === false) throw new Error('down'); } }],
    routes: (app) => {
      const router = express.Router();
      router.get('/api/things/me', (req, res) => { res.json({ currentUser: req.currentUser ?? null }); });
      router.post('/api/things', requireAuth, validate({ body: thingSchema }),
        (req, res) => { res.status(201).json({ name: req.body.name, owner: userOf(req).id }); });
      router.get('/api/bad', () => { throw new BadRequestError('Nope', 'thing'); });
      router.get('/api/boom', async () => { throw new Error('secret internal detail'); });
      // drizzle's wrapping of the error pg gives a statement whose session Postgres ended
      router.get('/api/database-gone', async () => {
        const cause = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
        throw new Error('Failed query: select 1\nparams: secret', { cause });
      });
      app.use(router);
    },
  });
  return { app };
}

const tokenCookie = (token: string) => `session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;

describe('currentUser', () => {
  it('reads the user from a valid session', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/things/me').set('Cookie', sessionCookie({ id: 'u1', email: 'a@b.co' }));
    expect(res.body.currentUser).toEqual({ id: 'u1', email: 'a@b.co' });
  });

  it.each([
    ['missing', undefined],
    ['forged (signed with another key)', tokenCookie(jwt.sign({ id: 'u1', email: 'a@b.co' }, 'another-key-another-key-another-key'))],
    ['expired', tokenCookie(jwt.sign({ id: 'u1', email: 'a@b.co', exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_KEY))],
    ['unsigned (alg none)', tokenCookie(jwt.sign({ id: 'u1', email: 'a@b.co' }, '', { algorithm: 'none' }))],
    ['not base64 JSON', 'session=%%%garbage'],
    ['a token without the user fields', tokenCookie(jwt.sign({ sub: 'u1' }, TEST_JWT_KEY))],
  ])('treats a %s cookie as anonymous', async (_name, cookie) => {
    const { app } = setup();
    const req = request(app).get('/api/things/me');
    const res = cookie ? await req.set('Cookie', cookie) : await req;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ currentUser: null });
  });
});

describe('currentUser remembers verified tokens', () => {
  afterEach(() => jest.restoreAllMocks());

  it('still lets a remembered token expire', async () => {
    const { app } = setup();
    const cookie = sessionCookie({ id: 'u1', email: 'a@b.co' }, { expiresInSeconds: 60 });
    expect((await request(app).get('/api/things/me').set('Cookie', cookie)).body.currentUser).toEqual({ id: 'u1', email: 'a@b.co' });
    expect((await request(app).get('/api/things/me').set('Cookie', cookie)).body.currentUser).toEqual({ id: 'u1', email: 'a@b.co' });
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect((await request(app).get('/api/things/me').set('Cookie', cookie)).body.currentUser).toBeNull();
  });

  it('does not take a token with a changed signature for a remembered one', async () => {
    const { app } = setup();
    const cookie = sessionCookie({ id: 'u1', email: 'a@b.co' });
    expect((await request(app).get('/api/things/me').set('Cookie', cookie)).body.currentUser).toEqual({ id: 'u1', email: 'a@b.co' });
    const token = (JSON.parse(Buffer.from(cookie.slice('session='.length), 'base64').toString()) as { jwt: string }).jwt;
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await request(app).get('/api/things/me').set('Cookie', tokenCookie(forged))).body.currentUser).toBeNull();
  });
});

describe('requireAuth and validate', () => {
  it('answers 401 without a session', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/things').send({ name: 'x', count: 1 });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
  });

  it('names each invalid field once', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/things').set('Cookie', sessionCookie()).send({ name: '  ', count: 'many' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { message: 'Name is required', field: 'name' },
      { message: 'Count must be a positive integer', field: 'count' },
    ]);
  });

  it('passes valid input through', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/things').set('Cookie', sessionCookie({ id: 'u9' })).send({ name: ' a ', count: 2 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'a', owner: 'u9' });
  });
});

describe('error handler', () => {
  it('answers malformed JSON with 400 in the error shape', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/things').set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Malformed JSON in request body' }] });
  });

  it('answers a body over 100 kB with 413', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/things').set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(200_000) }));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].message).toMatch(/too large/);
  });

  it.each([['gzip', ''], ['gzip', 'not gzip'], ['deflate', 'xx'], ['br', 'x']])(
    'answers a body that does not match its Content-Encoding (%s) with 400',
    async (encoding, body) => {
      const { app } = setup();
      const res = await request(app).post('/api/things').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ errors: [{ message: 'Request body could not be decompressed' }] });
    },
  );

  it('answers an unknown route with 404 in the error shape', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Route not found' }] });
  });

  it('serialises known errors with their field', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/bad');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Nope', field: 'thing' }] });
  });

  it('turns an unexpected error into a bare 500 that leaks nothing', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ errors: [{ message: 'Something went wrong' }] });
    expect(res.text).not.toMatch(/secret|at .*\.ts/);
  });

  it('answers a lost database connection with a 503 to retry, leaking nothing', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/database-gone');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({ errors: [{ message: 'The service is briefly unavailable; try again' }] });
    expect(res.text).not.toMatch(/secret|terminating/);
  });
});

describe('probes', () => {
  it('serves healthz, readyz and Prometheus metrics', async () => {
    const { app } = setup();
    await request(app).get('/api/things/me');
    expect((await request(app).get('/healthz')).status).toBe(200);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual([{ name: 'database', ok: true }]);
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{.*route="\/api\/things\/me"/);
  });

  it('reports not ready, naming the failing dependency', async () => {
    const { app } = setup({ ready: false });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual([{ name: 'database', ok: false, error: 'down' }]);
  });

  it('echoes a request id', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/things/me').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
  });
});

describe('listen', () => {
  it('binds to loopback unless a host is given', async () => {
    const { app } = setup();
    const { server } = await listen(app, 0);
    try {
      expect(server.address()).toMatchObject({ address: '127.0.0.1' });
    } finally {
      await closeServer(server);
    }
  });
});

describe('trust proxy', () => {
  it('believes X-Forwarded-* only from loopback by default', () => {
    const { app } = setup();
    const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
    expect(trust('127.0.0.1', 0)).toBe(true);
    expect(trust('10.1.2.3', 0)).toBe(false);
    expect(trust('192.168.1.20', 0)).toBe(false);
  });
});

describe('security headers', () => {
  it.each([['a route', '/api/things/me'], ['an error', '/api/boom'], ['an unknown path', '/api/nowhere'], ['a probe', '/healthz']])(
    'are on every answer: %s',
    async (_what, path) => {
      const { app } = setup();
      const res = await request(app).get(path);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
        'strict-transport-security': expect.stringMatching(/max-age=\d+/),
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    },
  );
});
