import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random base62 string, the shape of the tail of Stripe ids. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** A Stripe-style object id such as `pi_3QxY…` (prefix, underscore, 24 characters). */
export function newId(prefix: 'pi' | 'ch' | 'pm' | 're' | 'req' | 'evt'): string {
  return `${prefix}_${randomToken(prefix === 'req' ? 14 : 24)}`;
}

/** Unix time in whole seconds, as Stripe's `created` fields are. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
