import { defineServiceConfig } from '@microtick/common';
import { z } from 'zod';

const perMinute = z.coerce.number().int().min(1).max(1_000_000);

export const configSchema = defineServiceConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Lifetime of a session: the JWT's `exp` and the cookie's max-age. */
  JWT_EXPIRES_IN_SECONDS: z.coerce.number().int().min(60).max(365 * 24 * 3600).default(7 * 24 * 3600),
  /** Sign-in attempts allowed per minute from one IP address. */
  SIGNIN_RATE_LIMIT_PER_MINUTE: perMinute.default(10),
  /** Failed sign-ins allowed per minute for one email from one IP address (others' failures never block a user). */
  SIGNIN_FAILURES_PER_ACCOUNT_PER_MINUTE: perMinute.default(5),
  /** Sign-ups allowed per minute from one IP address (generous: households and offices share one). */
  SIGNUP_RATE_LIMIT_PER_MINUTE: perMinute.default(30),
});
