import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^ln, block size r, parallelism p. */
export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/**
 * N = 2^15, r = 8 costs 32 MiB and ~90 ms per hash on one core of a small server: well above
 * scrypt's interactive-login baseline (2^14) while a sign-in stays fast and libuv's 4 worker
 * threads bound the memory of concurrent hashes to ~128 MiB. Each hash records its own
 * parameters, so raising these later is safe: old hashes still verify and are upgraded at the
 * owner's next sign-in (`needsRehash`).
 */
const CURRENT_SCRYPT_PARAMS: ScryptParams = { ln: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PHC_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function deriveKey(password: string, salt: Buffer, keyLength: number, { ln, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** ln;
  // Node refuses more than 32 MiB by default; allow what these parameters need, with headroom.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r * p };
  // NFKC so the same password typed on different keyboards (composed or decomposed accents) matches.
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const encode = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

/** A PHC string `$scrypt$ln=15,r=8,p=1$<salt>$<key>` with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = CURRENT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${encode(salt)}$${encode(key)}`;
}

function parseHash(stored: string): ParsedHash {
  const match = PHC_PATTERN.exec(stored);
  if (!match) throw new Error('Unrecognised password hash format');
  const [, ln = '', r = '', p = '', salt = '', key = ''] = match;
  return {
    params: { ln: Number(ln), r: Number(r), p: Number(p) },
    salt: Buffer.from(salt, 'base64'),
    key: Buffer.from(key, 'base64'),
  };
}

/** Whether `password` produced `stored`; the comparison takes the same time wherever the keys differ. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const { params, salt, key } = parseHash(stored);
  const candidate = await deriveKey(password, salt, key.length, params);
  return timingSafeEqual(candidate, key);
}

/** True when `stored` was made with other parameters than today's, so it should be replaced. */
export function needsRehash(stored: string): boolean {
  const { params } = parseHash(stored);
  return params.ln !== CURRENT_SCRYPT_PARAMS.ln || params.r !== CURRENT_SCRYPT_PARAMS.r || params.p !== CURRENT_SCRYPT_PARAMS.p;
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password with today's parameters. Checking a password against it when the
 * email is unknown makes that answer take as long as a wrong password, so timing does not tell
 * which emails have accounts.
 */
export function hashForUnknownUser(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('hex'));
  return dummyHash;
}
