import fc from 'fast-check';
import type { RawRequest } from './raw-http';

/** The request bodies are bounded: the largest is about this many bytes (services accept 100 kB). */
export const MAX_BODY_BYTES = 200_000;

/** A JSON fragment sent exactly as written: `1e999` (parses to Infinity), `NaN` (not JSON at all). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Like JSON.stringify, but RawJson fragments go in verbatim and undefined members are left out. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const INJECTIONS = [
  "' OR '1'='1", "'; DROP TABLE tickets; --", "1; SELECT pg_sleep(10) --", '" OR ""="', "admin'--", "\\'; --",
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg/onload=alert(1)>', 'javascript:alert(1)',
  '../../../../etc/passwd', '..\\..\\..\\windows\\win.ini', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/dev/zero',
  '${jndi:ldap://127.0.0.1/a}', '{{7*7}}', '<%= 7*7 %>', '$where', '{"$gt": ""}',
  '\u0000', 'a\u0000b', '\u202Eevil', '\uFEFF', '\uD800', '🎫🎟️👩‍👩‍👧', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇', '\r\nSet-Cookie: session=x',
  '', ' ', '\t\n', 'null', 'undefined', 'NaN', 'Infinity', '-Infinity', '1e309', '0x10', '19.999', '-5', '1,5',
];

/** Up to MAX_BODY_BYTES of one repeated unit, counted as it will be written in JSON. */
const hugeString = fc
  .record({ bytes: fc.integer({ min: 1_000, max: MAX_BODY_BYTES }), unit: fc.constantFrom('a', 'é', '🎫', '<script>', "' OR 1=1 --", '\u0001') })
  .map(({ bytes, unit }) => unit.repeat(Math.max(1, Math.floor(bytes / (JSON.stringify(unit).length - 2)))));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  hugeString,
);

/** Numbers as a client might write them, valid JSON or not (`NaN`, `Infinity`, `01`, `.5`). */
const hostileNumber: fc.Arbitrary<RawJson> = fc.oneof(
  fc.constantFrom('0', '-0', '-1', '-19.99', '0.001', '19.999', '19.99', '1e999', '-1e999', '1e-999', '1e-9', '5e-324', '0.004', '1e308', '9007199254740993', '1000000.01', '1000000', '0.1e1', '1E2', '01', '.5', '1.', '-', 'NaN', 'Infinity', '-Infinity').map((text) => new RawJson(text)),
  fc.double().map((n) => new RawJson(String(n))),
  fc.integer().map((n) => new RawJson(String(n))),
);

/** Numbers written as JSON strings. */
const numericString = fc.constantFrom('19.99', '5', 'NaN', 'Infinity', '-Infinity', '-1', '1e999', '0x10', ' 5 ', '5,00', '');

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  numericString,
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, false, [], {}, { $gt: '' }, ['tok_visa'], { toString: 'x' }, JSON.parse('{"__proto__":{"isAdmin":true}}') as unknown),
);

/** A body member that is now and then what the route wants and mostly is not. */
export const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 1, arbitrary: valid }, { weight: 2, arbitrary: hostileValue });

const MALFORMED_JSON = [
  '{', '}', '{"title":', '{"title": "a",}', "{'title': 'a'}", '{"price": NaN}', '{"price": Infinity}', '{"price": -Infinity}',
  '{"price": 01}', '{"price": .5}', '{"price": 1.}', '{"a":1}{"b":2}', '\uFEFF{"title":"bom"}', '[1,2', 'undefined', 'nul',
  '{"title":"\\x41"}', '{"title":"\\u12"}', '{"title":"unterminated}', '{"__proto__":{"polluted":true},"title":"p","price":1}',
  '{"constructor":{"prototype":{"polluted":true}}}', '{"title":"dup","title":["x"],"price":5,"price":-5}', '\u0000', '',
];

const deeplyNested = fc.integer({ min: 100, max: 20_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

const bodyText = (members: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { weight: 10, arbitrary: members.map(jsonText) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_JSON) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }) },
  );

const CONTENT_TYPES = [
  undefined, 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=iso-8859-1',
  'application/json; charset="utf-8"', 'APPLICATION/JSON', 'application/json;;', 'application/merge-patch+json', 'text/plain',
  'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '*/*', '',
];

export interface FuzzBody {
  body: string | Uint8Array;
  headers: Record<string, string>;
}

/** A body built from `members`, usually as JSON, sometimes broken, mislabelled or oddly encoded. */
export const fuzzBody = (members: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<FuzzBody> =>
  fc
    .record({
      body: bodyText(members),
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
      contentEncoding: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown') }),
    })
    .map(({ body, contentType, contentEncoding }) => ({
      body,
      headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...(contentEncoding ? { 'content-encoding': contentEncoding } : {}) },
    }));

/** Text that is safe to percent-encode (lone surrogates become U+FFFD). */
export const percentEncoded = (text: string): string => encodeURIComponent(Buffer.from(text).toString('utf8'));

const ODD_PATH_IDS = [
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'not-a-uuid', '1', '-1', '0', 'null', 'undefined',
  '%00', '%ff', '%', '%E0%A4%A', '%uD800', '..', '../..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2f', '....//....//etc/passwd',
  "1'%20OR%20'1'%3D'1", '%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'a'.repeat(2_000), ':id', '*', '%20', '%0d%0aSet-Cookie:%20x=1',
];

/** A path segment naming a resource: a real one, an unknown UUID, or something that is no id at all. */
export const pathId = (knownIds: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...knownIds) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_PATH_IDS, ...knownIds.flatMap((id) => [`${id}%00`, `${id}/`, `${id}/x`, `${id}%20`, `{${id}}`])) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 100 }).map(percentEncoded) },
  );

/** A request as fast-check prints it: short, with the body's size rather than all of it. */
export function printable(request: RawRequest): RawRequest {
  return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
}

export function describeRequest({ method, path, headers = {}, body }: RawRequest): string {
  const text = body === undefined ? '' : typeof body === 'string' ? body : Buffer.from(body).toString('latin1');
  const shown = text.length > 300 ? `${JSON.stringify(text.slice(0, 300))}… (${Buffer.byteLength(text)} bytes)` : JSON.stringify(text);
  const shownHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.length > 120 ? `${value.slice(0, 120)}…` : value]));
  return `${method} ${path.length > 300 ? `${path.slice(0, 300)}…` : path} ${JSON.stringify(shownHeaders)} body ${shown}`;
}
