import { Writable } from 'node:stream';
import { createLogger } from '@microtick/common';
import { describedApiRoutes, mountedApiRoutes, testAppDeps, TEST_JWT_KEY, type TestDatabase } from '@microtick/common/testing';
import request from 'supertest';
import { buildApp } from './app';
import type { AuthSchema } from './db/schema';
import { buildTestApp, createAuthTestDatabase, jwtOf, sessionCookieFrom, setCookieHeaders } from './test-support';

let database: TestDatabase<AuthSchema>;
beforeAll(async () => {
  database = await createAuthTestDatabase();
});
afterAll(() => database.close());

describe('auth app', () => {
  it('serves health and Prometheus metrics labelled by route', async () => {
    const app = buildTestApp(database);
    await request(app).post('/api/users/signin').send({});
    expect((await request(app).get('/healthz')).status).toBe(200);
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/users\/signin"[^}]*status="400"/);
  });

  it('mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
    expect(mountedApiRoutes(buildTestApp(database))).toEqual(describedApiRoutes('/api/users'));
  });

  it('answers unknown routes under /api/users with 404 in the error shape', async () => {
    const res = await request(buildTestApp(database)).get('/api/users/everyone');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Route not found' }] });
  });
});

/** The auth app with the real service logger (JSON, every request logged) writing into a string. */
function setup() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('auth', 'trace', destination);
  const app = buildApp({
    ...testAppDeps(),
    logger,
    db: database.db,
    session: { jwtKey: TEST_JWT_KEY, ttlSeconds: 3600 },
    rateLimits: { signin: 1000, signinFailures: 1000, signup: 1000 },
  });
  return { app, log: () => lines.join('') };
}

describe('logs', () => {
  it('never contain a session, a password or a Set-Cookie value', async () => {
    const { app, log } = setup();
    const password = 'a very secret passphrase 42';
    const signup = await request(app).post('/api/users/signup').send({ email: 'logs@example.com', password });
    const signin = await request(app).post('/api/users/signin').send({ email: 'logs@example.com', password });
    expect(signin.status).toBe(200);
    const cookie = sessionCookieFrom(signin);
    const me = await request(app).get('/api/users/currentuser').set('Cookie', cookie).set('Authorization', `Bearer ${jwtOf(cookie)}`);
    expect(me.body.currentUser.email).toBe('logs@example.com');
    // A wrong password is logged too (a 400): it must not show either.
    await request(app).post('/api/users/signin').send({ email: 'logs@example.com', password: 'wrong guess 12345' });

    const text = log();
    // The requests were logged (the access line names the user, not the headers that carry the session).
    expect(text).toMatch(/"url":"\/api\/users\/currentuser"/);
    expect(text).toMatch(/"userId":"[0-9a-f-]{36}"/);
    expect(text).not.toMatch(/"headers"/);
    for (const secret of [
      password,
      'wrong guess 12345',
      jwtOf(cookie),
      jwtOf(sessionCookieFrom(signup)),
      cookie.slice('session='.length),
      ...[...setCookieHeaders(signup), ...setCookieHeaders(signin)].map((header) => header.split(';')[0]?.split('=')[1] ?? header),
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('redact password, key and card fields a handler logs by mistake', () => {
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (line: string) => lines.push(line) });
    logger.info({ password: 'p1', body: { password: 'p2' }, config: { JWT_KEY: 'k1', STRIPE_SECRET_KEY: 'sk_test_x' }, card: { number: '4242' } }, 'oops');
    const text = lines.join('');
    for (const secret of ['p1', 'p2', 'k1', 'sk_test_x', '4242']) expect(text).not.toContain(secret);
  });
});
