import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { isUuid } from '../http/ids';

/**
 * A ticket code: what a buyer shows at the door (as a QR code) to prove they bought a ticket.
 *
 * Orders signs it with an Ed25519 private key only orders has; tickets checks it with the public
 * key alone, so neither a buyer nor another service can make one. It names the order and the
 * ticket, so a code is only good for the ticket it was issued for.
 *
 *   MT1.<base64url(order id: 16 bytes ‖ ticket id: 16 bytes ‖ Ed25519 signature: 64 bytes)>
 *
 * 132 characters: small enough for a QR code a phone reads at a glance. The signature covers a
 * fixed label before the ids, so a signature made with this key for anything else can never
 * pass as a ticket code.
 */
export interface TicketCodeClaim {
  orderId: string;
  ticketId: string;
}

const PREFIX = 'MT1.';
const SIGNED_LABEL = Buffer.from('microtick ticket code v1\n');
const SIGNATURE_BYTES = 64;
const CODE_PATTERN = /^MT1\.[A-Za-z0-9_-]{128}$/;

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidOf = (bytes: Buffer) => {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
const signedMessage = (ids: Buffer) => Buffer.concat([SIGNED_LABEL, ids]);

export function signTicketCode(privateKey: KeyObject, { orderId, ticketId }: TicketCodeClaim): string {
  const ids = Buffer.concat([uuidBytes(orderId), uuidBytes(ticketId)]);
  const signature = sign(null, signedMessage(ids), privateKey);
  return PREFIX + Buffer.concat([ids, signature]).toString('base64url');
}

/** The order and ticket a genuine code names; undefined for anything else (malformed, forged, altered). */
export function verifyTicketCode(publicKey: KeyObject, code: unknown): TicketCodeClaim | undefined {
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) return undefined;
  const bytes = Buffer.from(code.slice(PREFIX.length), 'base64url');
  const ids = bytes.subarray(0, 32);
  const signature = bytes.subarray(32);
  if (signature.length !== SIGNATURE_BYTES || !verify(null, signedMessage(ids), publicKey, signature)) return undefined;
  const claim = { orderId: uuidOf(ids.subarray(0, 16)), ticketId: uuidOf(ids.subarray(16)) };
  return isUuid(claim.orderId) && isUuid(claim.ticketId) ? claim : undefined;
}

/** DER prefixes that turn a raw 32-byte Ed25519 seed / public key into PKCS#8 / SPKI (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/**
 * A development key pair named by a phrase everyone can read (the Kubernetes dev overlay's,
 * committed to git): `dev-only-<anything>` stands for the pair whose seed is the SHA-256 of the
 * whole text, and the same text is given to orders (private) and tickets (public). Short, so it
 * fits a Secret, and visibly not a real key.
 */
const DEV_ONLY = /^dev-only-\S+$/;

/**
 * An Ed25519 key from configuration, in any of the forms operators meet: PEM; the base64 of its
 * DER (PKCS#8 for a private key, SPKI for a public one), which fits on one line of an env file;
 * the base64 (or base64url) of the raw 32 bytes (the private seed, the public point); or a
 * development phrase (`dev-only-…`, see above). Throws for anything else.
 */
export function parseEd25519Key(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.trim();
  const pem = trimmed.startsWith('-----BEGIN');
  // createPublicKey would happily derive a public key from a private PEM: refuse it, so the
  // verifying side can never be configured with the means to sign.
  if (kind === 'public' && pem && /PRIVATE KEY/.test(trimmed)) throw new Error('a private key where a public key belongs');
  let key: KeyObject;
  if (pem) {
    key = kind === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  } else if (DEV_ONLY.test(trimmed)) {
    const pair = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, createHash('sha256').update(trimmed).digest()]), format: 'der', type: 'pkcs8' });
    key = kind === 'private' ? pair : createPublicKey(pair);
  } else {
    const bytes = Buffer.from(trimmed, 'base64');
    const der = bytes.length === 32 ? Buffer.concat([kind === 'private' ? PKCS8_ED25519_PREFIX : SPKI_ED25519_PREFIX, bytes]) : bytes;
    key = kind === 'private' ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) : createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 ${kind} key`);
  return key;
}

/** A zod-friendly check for config schemas: does `text` hold such a key? */
export function isEd25519Key(text: string, kind: 'private' | 'public'): boolean {
  try {
    parseEd25519Key(text, kind);
    return true;
  } catch {
    return false;
  }
}

/** A key as `parseEd25519Key` reads it back in one line (base64 DER), for generated configuration. */
export const exportEd25519Key = (key: KeyObject): string =>
  key.export(key.type === 'private' ? { format: 'der', type: 'pkcs8' } : { format: 'der', type: 'spki' }).toString('base64');
