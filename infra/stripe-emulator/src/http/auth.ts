/** Stripe authentication: `Authorization: Bearer sk_test_…` (or HTTP Basic with the key as user). */
import { StripeApiError } from '../errors';

const TEST_SECRET_KEY = /^(sk|rk)_test_\S+$/;

function keyFromHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return value || undefined;
  if (scheme?.toLowerCase() === 'basic') {
    const user = Buffer.from(value, 'base64').toString('utf8').split(':')[0];
    return user || undefined;
  }
  return undefined;
}

/** `sk_test_****************abcd`, as Stripe echoes a rejected key. */
function mask(key: string): string {
  const prefix = /^[a-z]+_[a-z]+_/.exec(key)?.[0] ?? '';
  const hidden = Math.max(0, key.length - prefix.length - 4);
  return `${prefix}${'*'.repeat(hidden)}${key.slice(prefix.length + hidden)}`;
}

function unauthorized(message: string): StripeApiError {
  // Real Stripe reports authentication failures as 401 `invalid_request_error`; the SDK maps
  // any 401 to StripeAuthenticationError.
  return new StripeApiError(401, { type: 'invalid_request_error', message });
}

/** The test-mode secret key of the request, or the 401 Stripe answers without one. */
export function authenticate(header: string | undefined): string {
  const key = keyFromHeader(header);
  if (key === undefined) {
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (!TEST_SECRET_KEY.test(key)) throw unauthorized(`Invalid API Key provided: ${mask(key)}`);
  return key;
}

/** The key of an optional Authorization header (used to scope the inspection endpoints). */
export function optionalApiKey(header: string | undefined): string | undefined {
  return header === undefined ? undefined : authenticate(header);
}
