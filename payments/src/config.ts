import { defineServiceConfig } from '@microtick/common';
import { z } from 'zod';

/** An empty variable (`STRIPE_SECRET_KEY=` in an env file) means "not set". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const configSchema = defineServiceConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  /** Set: real Stripe with this key. Unset: the bundled emulator at STRIPE_API_URL. */
  STRIPE_SECRET_KEY: optional(z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_… or sk_live_…)')),
  STRIPE_API_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:12111'),
  /**
   * The webhook endpoint's signing secret. Required with STRIPE_SECRET_KEY; with the emulator it
   * defaults to the emulator's development secret (see stripe-client.ts).
   */
  STRIPE_WEBHOOK_SECRET: optional(z.string().regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)')),
  /** Per request to Stripe; a request that takes longer is retried with the same idempotency key. */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(80_000).default(10_000),
  /** Safe to retry: every call that moves money carries an idempotency key. */
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
});

export type PaymentsConfig = z.infer<typeof configSchema>;
