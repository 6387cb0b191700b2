import type { TestDatabase } from '@microtick/common/testing';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { users, type AuthSchema } from '../db/schema';
import { buildTestApp, createAuthTestDatabase, jwtOf, sessionCookieFrom, setCookieHeaders, signUp, TEST_SESSION_TTL_SECONDS } from '../test-support';

let database: TestDatabase<AuthSchema>;
beforeAll(async () => {
  database = await createAuthTestDatabase();
});
beforeEach(() => database.truncate());
afterAll(() => database.close());

const setup = (rateLimits: { signup?: number } = {}) => ({ app: buildTestApp(database, rateLimits) });
const signupBody = (email: unknown, password: unknown = 'correct horse battery') => ({ email, password });

describe('POST /api/users/signup', () => {
  it('creates an account and answers 201 with its id and email only', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/users/signup').send(signupBody('ann@example.com'));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: 'ann@example.com' });
    expect(await database.db.select().from(users)).toHaveLength(1);
  });

  it('trims and lower-cases the email', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/users/signup').send(signupBody('  Ann@Example.COM '));
    expect(res.body.email).toBe('ann@example.com');
    const [row] = await database.db.select().from(users);
    expect(row?.email).toBe('ann@example.com');
  });

  it('stores a salted scrypt hash with its parameters, never the password', async () => {
    const { app } = setup();
    await signUp(app, 'ann@example.com', 'same password');
    await signUp(app, 'bob@example.com', 'same password');
    const rows = await database.db.select().from(users);
    for (const row of rows) {
      expect(row.passwordHash).not.toContain('same password');
      expect(row.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    }
    expect(rows[0]?.passwordHash).not.toBe(rows[1]?.passwordHash);
  });

  it('sets an httpOnly, sameSite=lax cookie whose JWT {id, email} expires with the cookie', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/users/signup').send(signupBody('ann@example.com'));
    const [header] = setCookieHeaders(res);
    expect(header).toMatch(/;\s*httponly/i);
    expect(header).toMatch(/;\s*samesite=lax/i);
    expect(header).not.toMatch(/;\s*secure/i);

    const payload = jwt.decode(jwtOf(sessionCookieFrom(res))) as { id: string; email: string; iat: number; exp: number };
    expect(payload).toMatchObject({ id: res.body.id, email: 'ann@example.com' });
    expect(payload.exp - payload.iat).toBe(TEST_SESSION_TTL_SECONDS);
    const cookieExpiresAt = Date.parse(/expires=([^;]+)/i.exec(header ?? '')?.[1] ?? '');
    expect(Math.abs(cookieExpiresAt - payload.exp * 1000)).toBeLessThan(5_000);
  });

  it('marks the cookie secure when the request came over https through the proxy', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/users/signup').set('X-Forwarded-Proto', 'https').send(signupBody('ann@example.com'));
    expect(res.status).toBe(201);
    expect(setCookieHeaders(res)[0]).toMatch(/;\s*secure/i);
  });

  it('rejects an email already in use in another case with 400 "Email in use"', async () => {
    const { app } = setup();
    await signUp(app, 'ann@example.com');
    const res = await request(app).post('/api/users/signup').send(signupBody('ANN@Example.com'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Email in use', field: 'email' }] });
    expect(setCookieHeaders(res)).toEqual([]);
  });

  it('lets exactly one of 20 concurrent sign-ups with one email through', async () => {
    const { app } = setup();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request(app).post('/api/users/signup').send(signupBody(i % 2 ? 'Race@Example.com' : 'race@example.com'))),
    );
    expect(responses.filter((res) => res.status === 201)).toHaveLength(1);
    const rejected = responses.filter((res) => res.status !== 201);
    expect(rejected.map((res) => [res.status, res.body])).toEqual(
      Array.from({ length: 19 }, () => [400, { errors: [{ message: 'Email in use', field: 'email' }] }]),
    );
    expect(await database.db.select().from(users)).toHaveLength(1);
  }, 90_000); // 20 scrypt hashes (32 MiB each, 4 at a time) take seconds on a busy 2-core machine

  it('accepts passwords of exactly 8 and 128 characters', async () => {
    const { app } = setup();
    expect((await request(app).post('/api/users/signup').send(signupBody('a@example.com', '12345678'))).status).toBe(201);
    expect((await request(app).post('/api/users/signup').send(signupBody('b@example.com', 'p'.repeat(128)))).status).toBe(201);
  });

  it.each([
    ['an invalid email', signupBody('not-an-email'), ['email']],
    ['a non-string email', signupBody(42), ['email']],
    ['a password of 7 characters', signupBody('a@example.com', '1234567'), ['password']],
    ['a password of 129 characters', signupBody('a@example.com', 'p'.repeat(129)), ['password']],
    ['a non-string password', signupBody('a@example.com', ['correct horse battery']), ['password']],
    ['an empty body', {}, ['email', 'password']],
  ])('answers %s with 400 naming the field', async (_case, body, fields) => {
    const { app } = setup();
    const res = await request(app).post('/api/users/signup').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field?: string }) => error.field)).toEqual(fields);
    expect(await database.db.select().from(users)).toHaveLength(0);
  });

  it.each([
    ['a JSON array', 'application/json', '[{"email": "a@example.com"}]'],
    ['a JSON string', 'application/json', '"a@example.com"'],
    ['plain text', 'text/plain', 'email=a@example.com'],
    ['no body at all', undefined, undefined],
  ])('answers %s with 400 naming the fields, not a crash', async (_case, contentType, payload) => {
    const { app } = setup();
    const req = request(app).post('/api/users/signup');
    const res = await (contentType ? req.set('Content-Type', contentType).send(payload) : req);
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBeGreaterThan(0);
  });

  it('answers malformed JSON with 400 in the error shape', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/users/signup').set('Content-Type', 'application/json').send('{"email": "a@example.com",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Malformed JSON in request body' }] });
  });

  it('answers a 1 MB body with 413 and keeps serving', async () => {
    const { app } = setup();
    const huge = JSON.stringify(signupBody('a@example.com', 'p'.repeat(1024 * 1024)));
    const res = await request(app).post('/api/users/signup').set('Content-Type', 'application/json').send(huge);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ errors: [{ message: 'Request body is too large' }] });
    expect((await request(app).post('/api/users/signup').send(signupBody('a@example.com'))).status).toBe(201);
  });

  it('limits sign-ups per IP address with 429 in the error shape', async () => {
    const { app } = setup({ signup: 3 });
    const fromAddress = (ip: string, email: string) => request(app).post('/api/users/signup').set('X-Forwarded-For', ip).send(signupBody(email));
    for (const n of [1, 2, 3]) expect((await fromAddress('203.0.113.7', `user${n}@example.com`)).status).toBe(201);

    const limited = await fromAddress('203.0.113.7', 'user4@example.com');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ message: 'Too many sign-ups from your network; try again in a minute' }] });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await fromAddress('198.51.100.9', 'user4@example.com')).status).toBe(201);
  });
});
