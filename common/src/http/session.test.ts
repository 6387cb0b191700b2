import cookieSession from 'cookie-session';
import express from 'express';
import request from 'supertest';
import { signSessionToken } from './current-user';
import { installSessionCookie, readSessionCookie } from './session';

const KEY = 'session-test-key-session-test-key';
const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** What cookie-session itself makes of a Cookie header: the session's own keys and values. */
async function cookieSessionReads(cookieHeader: string | undefined): Promise<Record<string, unknown>> {
  const app = express();
  app.use(cookieSession({ name: 'session', signed: false, httpOnly: true, sameSite: 'lax' }));
  app.get('/', (req, res) => { res.json({ ...(req.session ?? {}) }); });
  const req = request(app).get('/');
  return (await (cookieHeader === undefined ? req : req.set('Cookie', cookieHeader))).body as Record<string, unknown>;
}

describe('readSessionCookie', () => {
  it.each([
    ['no cookie', undefined],
    ['another cookie only', 'theme=dark'],
    ['a session', `session=${encoded({ jwt: 'a.b.c' })}`],
    ['a session among others', `theme=dark; session=${encoded({ jwt: 'a.b.c', extra: 1 })}; x=y`],
    ['a session named as a suffix of another cookie', `mysession=${encoded({ jwt: 'no' })}`],
    ['a quoted session', `session="${encoded({ jwt: 'quoted' })}"`],
    ['an empty session', 'session='],
    ['base64 of no JSON', `session=${Buffer.from('nope').toString('base64')}`],
    ['garbage', 'session=%%%garbage'],
    ['JSON that is no object', `session=${encoded(42)}`],
    ['keys a Session keeps for itself', `session=${encoded({ jwt: 'j', isNew: 'x', isChanged: 'w', toJSON: 'y', constructor: 'z', __proto__: 'p' })}`],
  ])('reads %s as cookie-session does', async (_what, cookieHeader) => {
    expect({ ...readSessionCookie(cookieHeader) }).toEqual(await cookieSessionReads(cookieHeader));
  });

  it('gives a frozen object, so a change cannot be lost silently', () => {
    const session = readSessionCookie(`session=${encoded({ jwt: 'a.b.c' })}`);
    expect(Object.isFrozen(session)).toBe(true);
  });
});

describe('installSessionCookie', () => {
  function app() {
    const app = express();
    app.set('trust proxy', 'loopback');
    installSessionCookie(app, { maxAgeMs: 3_600_000 });
    app.get('/read', (req, res) => { res.json({ jwt: req.session?.jwt ?? null }); });
    app.post('/signin', (req, res) => {
      void req.session?.jwt; // read first, as currentUser does
      req.session = { jwt: signSessionToken({ id: 'u1', email: 'a@b.co' }, KEY, 3600) };
      res.json({});
    });
    app.post('/signout', (req, res) => {
      req.session = null;
      res.json({});
    });
    return app;
  }

  it('reads the session without setting any cookie', async () => {
    const res = await request(app()).get('/read').set('Cookie', `session=${encoded({ jwt: 'a.b.c' })}`);
    expect(res.body).toEqual({ jwt: 'a.b.c' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('writes the cookie as cookie-session: httpOnly, sameSite lax, an expiry, secure only over https', async () => {
    const plain = await request(app()).post('/signin');
    const cookie = (plain.headers['set-cookie'] as unknown as string[])[0] as string;
    expect(cookie).toMatch(/^session=[A-Za-z0-9+/=]+; path=\/; expires=[^;]+; samesite=lax; httponly$/);
    const jwt = (JSON.parse(Buffer.from(/^session=([^;]+)/.exec(cookie)?.[1] as string, 'base64').toString()) as { jwt: string }).jwt;
    expect(jwt.split('.')).toHaveLength(3);
    const overHttps = await request(app()).post('/signin').set('X-Forwarded-Proto', 'https');
    expect((overHttps.headers['set-cookie'] as unknown as string[])[0]).toMatch(/; secure; httponly$/);
  });

  it('clears the cookie on sign-out', async () => {
    const res = await request(app()).post('/signout').set('Cookie', `session=${encoded({ jwt: 'a.b.c' })}`);
    expect((res.headers['set-cookie'] as unknown as string[])[0]).toMatch(/^session=; path=\/; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=lax; httponly$/);
  });
});
