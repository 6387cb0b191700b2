import { ConfigError, loadConfig } from '@microtick/common';
import { configSchema } from './config';
import { attemptLeaseMs, createStripeClient } from './payments/stripe-client';

const base = { DATABASE_URL: 'postgres://u:p@localhost/microtick_payments', JWT_KEY: 'k'.repeat(32) };

describe('payments config', () => {
  it('defaults to port 3004 and the local Stripe emulator with a 10 s timeout and 2 retries', () => {
    const config = loadConfig(configSchema, base);
    expect(config.STRIPE_SECRET_KEY).toBeUndefined();
    expect(config).toMatchObject({ PORT: 3004, STRIPE_API_URL: 'http://127.0.0.1:12111', STRIPE_TIMEOUT_MS: 10_000, STRIPE_MAX_NETWORK_RETRIES: 2 });
    expect(attemptLeaseMs(config)).toBe(45_000);
  });

  it('treats an empty STRIPE_SECRET_KEY as unset', () => {
    expect(loadConfig(configSchema, { ...base, STRIPE_SECRET_KEY: '' }).STRIPE_SECRET_KEY).toBeUndefined();
  });

  it.each([
    ['STRIPE_SECRET_KEY', 'pk_test_publishable'],
    ['STRIPE_API_URL', 'ftp://127.0.0.1:12111'],
    ['STRIPE_TIMEOUT_MS', '10'],
    ['STRIPE_MAX_NETWORK_RETRIES', 'many'],
  ])('refuses a bad %s, naming it', (name, value) => {
    expect(() => loadConfig(configSchema, { ...base, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(configSchema, { ...base, [name]: value })).toThrow(new RegExp(name));
  });
});

describe('the Stripe client', () => {
  it('talks to real Stripe when a secret key is set', () => {
    const stripe = createStripeClient(loadConfig(configSchema, { ...base, STRIPE_SECRET_KEY: 'sk_test_123' }));
    expect(String(stripe.getApiField('host'))).toBe('api.stripe.com');
    expect(Number(stripe.getApiField('timeout'))).toBe(10_000);
    expect(Number(stripe.getApiField('maxNetworkRetries'))).toBe(2);
  });

  it('talks to the emulator at STRIPE_API_URL otherwise', () => {
    const stripe = createStripeClient(loadConfig(configSchema, { ...base, STRIPE_API_URL: 'http://emulator.local:4242' }));
    expect([stripe.getApiField('host'), stripe.getApiField('port'), stripe.getApiField('protocol')].map(String)).toEqual(['emulator.local', '4242', 'http']);
  });
});
