import type Stripe from 'stripe';

/**
 * The Stripe SDK, required on first use rather than imported: it is 219 modules and about 6 MB
 * of resident memory, which a payments process that has not yet talked to Stripe does without.
 * `require` caches it, so every call after the first is a lookup.
 */
export const stripeSdk = (): typeof Stripe => require('stripe') as typeof Stripe;
