import Stripe from 'stripe';
import type { PaymentsConfig } from '../config';

/** Stands in for a secret key when talking to the emulator, which accepts any `sk_test_` key. */
const EMULATOR_KEY = 'sk_test_microtick_emulator';

/**
 * The signing secret the local stack gives the emulator for its webhooks. Not a secret: it only
 * ever verifies the emulator's own events, and real Stripe needs STRIPE_WEBHOOK_SECRET.
 */
export const EMULATOR_WEBHOOK_SECRET = 'whsec_microtick_emulator_development_only';

/** The webhook secret to verify Stripe's signatures with; real Stripe without one is a configuration error. */
export function webhookSecretOf(config: Pick<PaymentsConfig, 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET'>): string {
  if (config.STRIPE_WEBHOOK_SECRET) return config.STRIPE_WEBHOOK_SECRET;
  if (config.STRIPE_SECRET_KEY) throw new Error('STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the webhook endpoint signing secret, whsec_…)');
  return EMULATOR_WEBHOOK_SECRET;
}

type StripeSettings = Pick<PaymentsConfig, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL' | 'STRIPE_TIMEOUT_MS' | 'STRIPE_MAX_NETWORK_RETRIES'>;

/** Real Stripe when a secret key is configured, otherwise the emulator at STRIPE_API_URL. */
export function createStripeClient(config: StripeSettings): Stripe {
  const common = { timeout: config.STRIPE_TIMEOUT_MS, maxNetworkRetries: config.STRIPE_MAX_NETWORK_RETRIES };
  if (config.STRIPE_SECRET_KEY) return new Stripe(config.STRIPE_SECRET_KEY, common);
  const emulator = new URL(config.STRIPE_API_URL);
  return new Stripe(EMULATOR_KEY, {
    ...common,
    host: emulator.hostname,
    port: emulator.port || (emulator.protocol === 'https:' ? 443 : 80),
    protocol: emulator.protocol === 'https:' ? 'https' : 'http',
  });
}

/**
 * How long a payment attempt may stay in flight before another request may take it over:
 * every try the SDK makes timing out, plus room for its backoff between tries.
 */
export const attemptLeaseMs = (config: Pick<PaymentsConfig, 'STRIPE_TIMEOUT_MS' | 'STRIPE_MAX_NETWORK_RETRIES'>): number =>
  config.STRIPE_TIMEOUT_MS * (config.STRIPE_MAX_NETWORK_RETRIES + 1) + 15_000;
