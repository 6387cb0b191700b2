import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { Express } from 'express';
import type { AuthDb } from './db/schema';
import { currentUserRouter } from './routes/current-user';
import { signinLimiterPerEmail, signinLimiterPerIp, signupLimiterPerIp, type RateLimitsPerMinute } from './routes/rate-limits';
import type { SessionSettings } from './routes/session';
import { signinRouter } from './routes/signin';
import { signoutRouter } from './routes/signout';
import { signupRouter } from './routes/signup';

export interface AuthAppDeps extends Omit<BaseAppDeps, 'jwtKey' | 'sessionMaxAgeMs'> {
  db: AuthDb;
  /** Signs and verifies sessions; also the cookie's lifetime, so JWT and cookie expire together. */
  session: SessionSettings;
  rateLimits: RateLimitsPerMinute;
}

/** The auth service's HTTP app: `/api/users/*` on top of the shared service shell. No I/O. */
export function buildApp(deps: AuthAppDeps): Express {
  const { db, session, rateLimits, logger } = deps;
  // Created here, not per request, so each app (and each test) has its own counters.
  const signinLimiters = { perIp: signinLimiterPerIp(rateLimits, logger), perEmail: signinLimiterPerEmail(rateLimits, logger) };
  const signupLimiter = signupLimiterPerIp(rateLimits, logger);
  return createServiceApp({
    ...deps,
    jwtKey: session.jwtKey,
    sessionMaxAgeMs: session.ttlSeconds * 1000,
    routes: (app) => {
      app.use(signupRouter({ db, session, limiter: signupLimiter }));
      app.use(signinRouter({ db, session, limiters: signinLimiters }));
      app.use(signoutRouter());
      app.use(currentUserRouter());
    },
  });
}
