import { generateKeyPairSync } from 'node:crypto';
import { exportEd25519Key, loadConfig } from '@microtick/common';
import { configSchema } from './config';

const keys = generateKeyPairSync('ed25519');
const env = {
  DATABASE_URL: 'postgres://microtick:microtick@127.0.0.1:5432/microtick_tickets',
  JWT_KEY: 'a-jwt-key-that-is-at-least-32-characters',
  TICKET_CODE_PUBLIC_KEY: exportEd25519Key(keys.publicKey),
};

describe('tickets config', () => {
  it('defaults to port 3002 and reads the public key that checks ticket codes', () => {
    const config = loadConfig(configSchema, env);
    expect(config.PORT).toBe(3002);
    expect(config.TICKET_CODE_PUBLIC_KEY.type).toBe('public');
  });

  it('needs the public key, and refuses the private one (tickets must never be able to mint codes)', () => {
    const { TICKET_CODE_PUBLIC_KEY: _unset, ...withoutKey } = env;
    expect(() => loadConfig(configSchema, withoutKey)).toThrow(/TICKET_CODE_PUBLIC_KEY: is required/);
    expect(() => loadConfig(configSchema, { ...env, TICKET_CODE_PUBLIC_KEY: exportEd25519Key(keys.privateKey) })).toThrow(/TICKET_CODE_PUBLIC_KEY: must be an Ed25519 public key/);
    const privatePem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadConfig(configSchema, { ...env, TICKET_CODE_PUBLIC_KEY: privatePem })).toThrow(/TICKET_CODE_PUBLIC_KEY: must be an Ed25519 public key/);
  });

  it('bounds the listing cache (128 pages, 4 MiB by default); 0 pages turns it off', () => {
    expect(loadConfig(configSchema, env)).toMatchObject({ LISTING_CACHE_PAGES: 128, LISTING_CACHE_MAX_BYTES: 4 * 1024 * 1024 });
    expect(loadConfig(configSchema, { ...env, LISTING_CACHE_PAGES: '0' }).LISTING_CACHE_PAGES).toBe(0);
    expect(() => loadConfig(configSchema, { ...env, LISTING_CACHE_PAGES: '-1' })).toThrow(/LISTING_CACHE_PAGES/);
  });
});
