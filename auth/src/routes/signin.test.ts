import type { TestDatabase } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import type { Express } from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { users, type AuthSchema } from '../db/schema';
import { hashPassword } from '../auth/password-hash';
import { buildTestApp, createAuthTestDatabase, jwtOf, sessionCookieFrom, signUp } from '../test-support';

let database: TestDatabase<AuthSchema>;
beforeAll(async () => {
  database = await createAuthTestDatabase();
});
beforeEach(() => database.truncate());
afterAll(() => database.close());

const PASSWORD = 'correct horse battery';

async function setup(rateLimits: { signin?: number; signinFailures?: number } = {}) {
  const app = buildTestApp(database, rateLimits);
  const ann = await signUp(app, 'ann@example.com', PASSWORD);
  return { app, ann };
}

const signIn = (app: Express, body: object, ip?: string) => {
  const req = request(app).post('/api/users/signin');
  return (ip ? req.set('X-Forwarded-For', ip) : req).send(body);
};

const INVALID_CREDENTIALS = { errors: [{ message: 'Invalid credentials' }] };

describe('POST /api/users/signin', () => {
  it('answers 200 with id and email only and a session cookie for that user', async () => {
    const { app, ann } = await setup();
    const res = await signIn(app, { email: 'ann@example.com', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: ann.id, email: 'ann@example.com' });
    expect(jwt.decode(jwtOf(sessionCookieFrom(res)))).toMatchObject({ id: ann.id, email: 'ann@example.com' });
  });

  it('finds the account whatever the email case and surrounding spaces', async () => {
    const { app, ann } = await setup();
    const res = await signIn(app, { email: ' ANN@Example.com ', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ann.id);
  });

  it('answers a wrong password and an unknown email alike: 400 "Invalid credentials", no cookie', async () => {
    const { app } = await setup();
    const wrongPassword = await signIn(app, { email: 'ann@example.com', password: 'not the password' });
    const unknownEmail = await signIn(app, { email: 'nobody@example.com', password: PASSWORD });
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(INVALID_CREDENTIALS);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('does as much work for an unknown email as for a wrong password', async () => {
    const { app } = await setup();
    // CPU time of this process (scrypt's worker threads included), not wall time: it measures
    // the work done, which is what timing leaks come from, and is immune to a busy machine.
    const medianCpuMs = async (body: object) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = process.cpuUsage();
        expect((await signIn(app, body)).status).toBe(400);
        const { user, system } = process.cpuUsage(before);
        times.push((user + system) / 1000);
      }
      return times.sort((a, b) => a - b)[2] ?? 0;
    };
    await signIn(app, { email: 'warm-up@example.com', password: PASSWORD });
    const wrongPassword = await medianCpuMs({ email: 'ann@example.com', password: 'not the password' });
    const unknownEmail = await medianCpuMs({ email: 'nobody@example.com', password: 'not the password' });
    // Without the dummy hash an unknown email costs a few ms against ~100 ms for a real check.
    expect(unknownEmail).toBeGreaterThan(wrongPassword * 0.7);
  }, 60_000);

  it.each([
    ['an invalid email', { email: 'ann', password: PASSWORD }, ['email']],
    ['a missing password', { email: 'ann@example.com' }, ['password']],
    ['an empty password', { email: 'ann@example.com', password: '' }, ['password']],
    ['a password longer than any valid one', { email: 'ann@example.com', password: 'p'.repeat(129) }, ['password']],
  ])('answers %s with 400 naming the field', async (_case, body, fields) => {
    const { app } = await setup();
    const res = await signIn(app, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field?: string }) => error.field)).toEqual(fields);
  });

  it('upgrades a hash made with older scrypt parameters at the next sign-in', async () => {
    const { app } = await setup();
    await database.db.update(users).set({ passwordHash: await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 }) }).where(eq(users.email, 'ann@example.com'));

    expect((await signIn(app, { email: 'ann@example.com', password: PASSWORD })).status).toBe(200);
    const [row] = await database.db.select().from(users).where(eq(users.email, 'ann@example.com'));
    expect(row?.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
    expect((await signIn(app, { email: 'ann@example.com', password: PASSWORD })).status).toBe(200);
  });

  it("limits failed attempts per account and address together, so someone else's failures never lock the victim out", async () => {
    const { app } = await setup({ signinFailures: 3 });
    const guess = { email: 'ann@example.com', password: 'guess' };
    // An attacker fails three times from each of two addresses…
    for (const ip of ['203.0.113.1', '203.0.113.2']) {
      for (let i = 0; i < 3; i++) expect((await signIn(app, guess, ip)).status).toBe(400);
    }
    // …and is stopped there, for that account (whatever the email's case)…
    const limited = await signIn(app, { ...guess, email: 'Ann@Example.com' }, '203.0.113.2');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ message: 'Too many failed sign-in attempts for this account; try again in a minute' }] });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // …while Ann, from her own address, signs in as often as she likes.
    for (let i = 0; i < 5; i++) expect((await signIn(app, { email: 'ann@example.com', password: PASSWORD }, '198.51.100.7')).status).toBe(200);
  });

  it('does not count successful sign-ins against the account', async () => {
    const { app } = await setup({ signinFailures: 2 });
    expect((await signIn(app, { email: 'ann@example.com', password: 'guess' }, '203.0.113.20')).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await signIn(app, { email: 'ann@example.com', password: PASSWORD }, '203.0.113.20')).status).toBe(200);
    expect((await signIn(app, { email: 'ann@example.com', password: 'guess' }, '203.0.113.20')).status).toBe(400);
    expect((await signIn(app, { email: 'ann@example.com', password: 'guess' }, '203.0.113.20')).status).toBe(429);
  });

  it('limits attempts per IP address, whatever the email', async () => {
    const { app } = await setup({ signin: 3 });
    for (const n of [1, 2, 3]) expect((await signIn(app, { email: `user${n}@example.com`, password: 'guess' }, '203.0.113.9')).status).toBe(400);

    const limited = await signIn(app, { email: 'ann@example.com', password: PASSWORD }, '203.0.113.9');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ errors: [{ message: 'Too many sign-in attempts from your network; try again in a minute' }] });
    // Invalid bodies count too, so validation cannot be used to probe for free.
    expect((await signIn(app, { email: 'not-an-email' }, '203.0.113.9')).status).toBe(429);
    expect((await signIn(app, { email: 'ann@example.com', password: PASSWORD }, '198.51.100.1')).status).toBe(200);
  });
});
