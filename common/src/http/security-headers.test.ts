import type { ServerResponse } from 'node:http';
import helmet from 'helmet';
import { securityHeaders } from './security-headers';

/** What a middleware does to a response: headers set, in order, and headers removed. */
function effectOf(middleware: (req: never, res: ServerResponse, next: (err?: unknown) => void) => void) {
  const calls: string[] = [];
  const res = {
    setHeader: (name: string, value: string) => calls.push(`set ${name}: ${value}`),
    removeHeader: (name: string) => calls.push(`remove ${name}`),
  } as unknown as ServerResponse;
  let nextCalls = 0;
  middleware({} as never, res, (err?: unknown) => {
    expect(err).toBeUndefined();
    nextCalls++;
  });
  expect(nextCalls).toBe(1);
  return calls.sort();
}

describe('securityHeaders', () => {
  it('sets exactly the headers helmet sets for our policy (and removes X-Powered-By as it does)', () => {
    const reference = helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      frameguard: { action: 'deny' },
    });
    const expected = effectOf(reference as never);
    expect(expected.length).toBeGreaterThan(10);
    expect(effectOf(securityHeaders())).toEqual(expected);
  });
});
