import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { signHs256, verifyHs256 } from './session-token';

// jsonwebtoken is the reference: the module replaced it and must sign the same tokens and accept
// exactly the ones its verify(token, key, { algorithms: ['HS256'] }) accepted.
const SECRET = 'a-session-key-of-forty-characters-long!!';
const key = createSecretKey(Buffer.from(SECRET));
const otherKey = createSecretKey(Buffer.from('another-key-another-key-another-key-1234'));

const referenceVerify = (token: string): unknown => {
  try {
    return jwt.verify(token, key, { algorithms: ['HS256'] });
  } catch {
    return undefined;
  }
};

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A token with this header and payload and a valid HS256 signature, whatever they say. */
const hs256 = (header: unknown, payload: unknown, signingKey: KeyObject = key) => {
  const signed = `${b64(header)}.${b64(payload)}`;
  return `${signed}.${createHmac('sha256', signingKey).update(signed).digest('base64url')}`;
};

const now = () => Math.floor(Date.now() / 1000);
const user = { id: 'u1', email: 'a@b.co' };

describe('session tokens (HS256 on node:crypto)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('signs the very token jsonwebtoken signs', () => {
    jest.spyOn(Date, 'now').mockReturnValue(1_790_000_000_500);
    const ours = signHs256(user, key, 3600);
    expect(ours).toBe(jwt.sign(user, key, { expiresIn: 3600, algorithm: 'HS256' }));
    expect(referenceVerify(ours)).toEqual({ ...user, iat: 1_790_000_000, exp: 1_790_003_600 });
  });

  it('reads what jsonwebtoken signed', () => {
    expect(verifyHs256(jwt.sign(user, key, { expiresIn: 60, algorithm: 'HS256' }), key)).toMatchObject(user);
    expect(verifyHs256(jwt.sign({ ...user, nbf: now() - 5 }, SECRET), key)).toMatchObject(user);
  });

  const rejected: [string, () => string][] = [
    ['signed with another key', () => jwt.sign(user, otherKey, { algorithm: 'HS256' })],
    ['expired', () => jwt.sign({ ...user, exp: now() - 1 }, SECRET)],
    ['expiring this very second', () => jwt.sign({ ...user, exp: now() }, SECRET)],
    ['not active yet (nbf)', () => jwt.sign({ ...user, nbf: now() + 60 }, SECRET)],
    ['with an exp that is not a number', () => hs256({ alg: 'HS256', typ: 'JWT' }, { ...user, exp: String(now() + 60) })],
    ['with an nbf that is not a number', () => hs256({ alg: 'HS256', typ: 'JWT' }, { ...user, nbf: 'soon' })],
    ['unsigned (alg none)', () => jwt.sign(user, '', { algorithm: 'none' })],
    ['alg none with an HS256 signature', () => hs256({ alg: 'none', typ: 'JWT' }, user)],
    ['HS512', () => jwt.sign(user, SECRET, { algorithm: 'HS512' })],
    ['alg missing', () => hs256({ typ: 'JWT' }, user)],
    ['a header that is not JSON', () => hs256('not json', user)],
    ['a payload that is not JSON', () => hs256({ alg: 'HS256', typ: 'JWT' }, 'not json')],
    ['the signature cut short', () => jwt.sign(user, SECRET).slice(0, -2)],
    ['the signature of another payload', () => { const [h, , s] = jwt.sign(user, SECRET).split('.'); return `${h}.${b64({ ...user, id: 'admin' })}.${s}`; }],
    ['two parts', () => jwt.sign(user, SECRET).split('.').slice(0, 2).join('.')],
    ['four parts', () => `${jwt.sign(user, SECRET)}.x`],
    ['an empty string', () => ''],
    ['garbage', () => '%%%.%%%.%%%'],
  ];

  it.each(rejected)('rejects a token %s, as jsonwebtoken does', (_name, make) => {
    const token = make();
    expect(referenceVerify(token)).toBeUndefined();
    expect(verifyHs256(token, key)).toBeUndefined();
  });

  it('accepts a token without exp, as jsonwebtoken does (ours always carry one)', () => {
    const token = jwt.sign(user, SECRET, { noTimestamp: true });
    expect(referenceVerify(token)).toEqual(user);
    expect(verifyHs256(token, key)).toEqual(user);
  });

  it('agrees with jsonwebtoken on random tampering of a valid token', () => {
    const valid = jwt.sign({ ...user, exp: now() + 600 }, SECRET);
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'AZaz09-_.=+/ x'.split('')), (at, char) => {
        const token = valid.slice(0, at) + char + valid.slice(at + 1);
        const reference = referenceVerify(token);
        const ours = verifyHs256(token, key);
        expect(ours === undefined).toBe(reference === undefined);
      }),
      { numRuns: 500 },
    );
  });
});
