import { sessionCookie, type TestDatabase } from '@microtick/common/testing';
import type { Express } from 'express';
import request from 'supertest';
import type { AuthSchema } from '../db/schema';
import { buildTestApp, createAuthTestDatabase, jwtOf, signUp } from '../test-support';

let database: TestDatabase<AuthSchema>;
beforeAll(async () => {
  database = await createAuthTestDatabase();
});
beforeEach(() => database.truncate());
afterAll(() => database.close());

async function setup() {
  const app = buildTestApp(database);
  const ann = await signUp(app, 'ann@example.com');
  return { app, ann };
}

const currentUser = (app: Express, cookie?: string) => {
  const req = request(app).get('/api/users/currentuser');
  return cookie ? req.set('Cookie', cookie) : req;
};

/** The same cookie with the JWT's payload swapped for another user's, keeping the signature. */
function withForgedPayload(cookie: string): string {
  const [header, , signature] = jwtOf(cookie).split('.');
  const payload = Buffer.from(JSON.stringify({ id: 'someone-else', email: 'mallory@example.com' })).toString('base64url');
  return `session=${Buffer.from(JSON.stringify({ jwt: `${header}.${payload}.${signature}` })).toString('base64')}`;
}

describe('GET /api/users/currentuser', () => {
  it('returns {id, email} of the signed-in user', async () => {
    const { app, ann } = await setup();
    const res = await currentUser(app, ann.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ currentUser: { id: ann.id, email: 'ann@example.com' } });
  });

  it('returns null without a session', async () => {
    const { app } = await setup();
    const res = await currentUser(app);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ currentUser: null });
  });

  it.each([
    ['a tampered payload', (cookie: string) => withForgedPayload(cookie)],
    ['a JWT signed with another key', () => sessionCookie({}, { jwtKey: 'another-key-that-is-also-32-characters-long' })],
    ['an expired JWT', () => sessionCookie({}, { expiresInSeconds: -10 })],
    ['a cookie that is not base64 JSON', () => 'session=not-a-session'],
  ])('returns null for %s', async (_case, makeCookie) => {
    const { app, ann } = await setup();
    const res = await currentUser(app, makeCookie(ann.cookie));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ currentUser: null });
  });
});
