import { hash } from 'node:crypto';

/** The tag of an empty body, as the etag package writes it. */
const EMPTY = 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';

/**
 * Express's default ETag (`etag: 'weak'`, the etag package: `W/"<length in hex>-<SHA-1 in
 * base64, 27 characters>"`), the same bytes for the same body, hashed by the one-shot
 * `crypto.hash` instead of a Hash object per answer. weak-etag.test.ts compares the two.
 */
export function weakETag(body: string | Buffer, encoding?: BufferEncoding): string {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, encoding);
  if (bytes.length === 0) return EMPTY;
  return `W/"${bytes.length.toString(16)}-${hash('sha1', bytes, 'base64').substring(0, 27)}"`;
}
