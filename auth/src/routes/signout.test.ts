import type { TestDatabase } from '@microtick/common/testing';
import request from 'supertest';
import type { AuthSchema } from '../db/schema';
import { buildTestApp, createAuthTestDatabase, sessionCookieFrom, setCookieHeaders, signUp } from '../test-support';

let database: TestDatabase<AuthSchema>;
beforeAll(async () => {
  database = await createAuthTestDatabase();
});
beforeEach(() => database.truncate());
afterAll(() => database.close());

describe('POST /api/users/signout', () => {
  it('answers 200 {} and clears the session cookie', async () => {
    const app = buildTestApp(database);
    const ann = await signUp(app, 'ann@example.com');

    const res = await request(app).post('/api/users/signout').set('Cookie', ann.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const [cleared] = setCookieHeaders(res);
    expect(cleared).toMatch(/^session=;/);
    expect(cleared).toMatch(/expires=Thu, 01 Jan 1970 00:00:00 GMT/i);

    const after = await request(app).get('/api/users/currentuser').set('Cookie', sessionCookieFrom(res));
    expect(after.body).toEqual({ currentUser: null });
  });

  it('answers 200 {} without a session too', async () => {
    const res = await request(buildTestApp(database)).post('/api/users/signout');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
  });
});
