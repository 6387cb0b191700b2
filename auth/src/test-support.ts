import { createTestDatabase, testAppDeps, TEST_JWT_KEY, type TestDatabase } from '@microtick/common/testing';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from './app';
import { migrationsFolder, schema, type AuthSchema } from './db/schema';
import type { RateLimitsPerMinute } from './routes/rate-limits';

export const TEST_SESSION_TTL_SECONDS = 3600;

/** High enough that only the tests about rate limits ever meet them. */
const UNLIMITED: RateLimitsPerMinute = { signin: 1_000_000, signinFailures: 1_000_000, signup: 1_000_000 };

/** This jest worker's migrated auth database. */
export const createAuthTestDatabase = (): Promise<TestDatabase<AuthSchema>> =>
  createTestDatabase({ name: 'auth', migrationsFolder, schema });

export function buildTestApp(database: TestDatabase<AuthSchema>, rateLimits: Partial<RateLimitsPerMinute> = {}): Express {
  return buildApp({
    ...testAppDeps(),
    db: database.db,
    session: { jwtKey: TEST_JWT_KEY, ttlSeconds: TEST_SESSION_TTL_SECONDS },
    rateLimits: { ...UNLIMITED, ...rateLimits },
  });
}

/** The `session=…` pair a response set, ready to send back as a `Cookie` header. */
export function sessionCookieFrom(res: request.Response): string {
  const cookie = setCookieHeaders(res).find((value) => value.startsWith('session='));
  if (!cookie) throw new Error('no session cookie was set');
  return cookie.split(';')[0] ?? '';
}

export function setCookieHeaders(res: request.Response): string[] {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  return header === undefined ? [] : ([] as string[]).concat(header);
}

/** The JWT inside a `session=<base64 JSON>` cookie pair. */
export function jwtOf(cookie: string): string {
  const { jwt } = JSON.parse(Buffer.from(cookie.slice('session='.length), 'base64').toString('utf8')) as { jwt: string };
  return jwt;
}

export async function signUp(app: Express, email: string, password = 'correct horse battery'): Promise<{ id: string; cookie: string }> {
  const res = await request(app).post('/api/users/signup').send({ email, password });
  if (res.status !== 201) throw new Error(`sign-up failed with ${res.status}: ${res.text}`);
  return { id: (res.body as { id: string }).id, cookie: sessionCookieFrom(res) };
}
