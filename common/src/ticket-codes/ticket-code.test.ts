import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { loadConfig } from '../config';
import { z } from 'zod';
import { exportEd25519Key, parseEd25519Key, signTicketCode, verifyTicketCode } from './ticket-code';
import { ed25519KeySetting } from './ticket-code-config';

const keys = generateKeyPairSync('ed25519');
const claim = { orderId: randomUUID(), ticketId: randomUUID() };

describe('ticket codes', () => {
  it('round-trips the order and ticket through a 132-character code', () => {
    const code = signTicketCode(keys.privateKey, claim);
    expect(code).toHaveLength(132);
    expect(verifyTicketCode(keys.publicKey, code)).toEqual(claim);
  });

  it('refuses a code signed with another key: only the holder of the private key can issue codes', () => {
    const forged = signTicketCode(generateKeyPairSync('ed25519').privateKey, claim);
    expect(verifyTicketCode(keys.publicKey, forged)).toBeUndefined();
  });

  it('refuses a code whose ids were swapped for another ticket, whatever byte is changed', () => {
    const code = signTicketCode(keys.privateKey, claim);
    const body = Buffer.from(code.slice(4), 'base64url');
    for (const index of [0, 15, 16, 31, 32, 95]) {
      const altered = Buffer.from(body);
      altered[index]! ^= 1;
      expect(verifyTicketCode(keys.publicKey, `MT1.${altered.toString('base64url')}`)).toBeUndefined();
    }
  });

  it.each([undefined, 42, '', 'MT1.', 'MT2.' + 'A'.repeat(128), `MT1.${'A'.repeat(127)}`, `MT1.${'A'.repeat(128)}`, `MT1.${'+'.repeat(128)}`, `MT1.${'A'.repeat(128)} `])(
    'refuses %j',
    (code) => {
      expect(verifyTicketCode(keys.publicKey, code)).toBeUndefined();
    },
  );

  it('reads keys from PEM or one-line base64 DER, and refuses keys of another kind', () => {
    const pem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(parseEd25519Key(pem, 'private').asymmetricKeyType).toBe('ed25519');
    const base64 = exportEd25519Key(keys.publicKey);
    expect(base64).not.toContain('\n');
    const code = signTicketCode(parseEd25519Key(exportEd25519Key(keys.privateKey), 'private'), claim);
    expect(verifyTicketCode(parseEd25519Key(base64, 'public'), code)).toEqual(claim);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parseEd25519Key(rsa, 'private')).toThrow(/not an Ed25519 private key/);
    expect(() => parseEd25519Key('not a key', 'public')).toThrow();
  });

  it('reads the raw 32-byte forms (seed, public point), in base64 or base64url', () => {
    const seed = keys.privateKey.export({ format: 'jwk' }).d!;
    const point = keys.publicKey.export({ format: 'jwk' }).x!;
    const code = signTicketCode(parseEd25519Key(seed, 'private'), claim);
    expect(verifyTicketCode(parseEd25519Key(Buffer.from(point, 'base64url').toString('base64'), 'public'), code)).toEqual(claim);
    expect(verifyTicketCode(parseEd25519Key(point, 'public'), code)).toEqual(claim);
    expect(() => parseEd25519Key(seed.slice(0, 20), 'private')).toThrow();
  });

  it('turns one dev-only phrase into a matching pair, and different phrases into different pairs', () => {
    const code = signTicketCode(parseEd25519Key('dev-only-ticket-codes', 'private'), claim);
    expect(verifyTicketCode(parseEd25519Key('dev-only-ticket-codes', 'public'), code)).toEqual(claim);
    expect(verifyTicketCode(parseEd25519Key('dev-only-other', 'public'), code)).toBeUndefined();
    expect(() => parseEd25519Key('dev-only-', 'private')).toThrow();
  });

  it('as a config setting, names the variable when the key is wrong', () => {
    const schema = z.object({ TICKET_CODE_PUBLIC_KEY: ed25519KeySetting('public') });
    expect(loadConfig(schema, { TICKET_CODE_PUBLIC_KEY: exportEd25519Key(keys.publicKey) }).TICKET_CODE_PUBLIC_KEY.asymmetricKeyType).toBe('ed25519');
    expect(() => loadConfig(schema, { TICKET_CODE_PUBLIC_KEY: exportEd25519Key(keys.privateKey) })).toThrow(/TICKET_CODE_PUBLIC_KEY: must be an Ed25519 public key/);
    expect(() => loadConfig(schema, {})).toThrow(/TICKET_CODE_PUBLIC_KEY: is required/);
  });
});
