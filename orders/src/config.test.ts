import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, exportEd25519Key, loadConfig } from '@microtick/common';
import { configSchema } from './config';

const ticketCodeKeys = generateKeyPairSync('ed25519');
const env = {
  DATABASE_URL: 'postgres://microtick:microtick@127.0.0.1:5432/microtick_orders',
  JWT_KEY: 'a-jwt-key-that-is-at-least-32-characters',
  TICKET_CODE_PRIVATE_KEY: exportEd25519Key(ticketCodeKeys.privateKey),
};

describe('orders config', () => {
  it('defaults to port 3003 and a 15-minute payment window', () => {
    expect(loadConfig(configSchema, env)).toMatchObject({ PORT: 3003, EXPIRATION_WINDOW_SECONDS: 900 });
  });

  it('takes the payment window from EXPIRATION_WINDOW_SECONDS', () => {
    expect(loadConfig(configSchema, { ...env, EXPIRATION_WINDOW_SECONDS: '60' }).EXPIRATION_WINDOW_SECONDS).toBe(60);
  });

  it.each(['0', '-5', '1.5', 'soon'])('refuses EXPIRATION_WINDOW_SECONDS=%s', (value) => {
    expect(() => loadConfig(configSchema, { ...env, EXPIRATION_WINDOW_SECONDS: value })).toThrow(ConfigError);
    expect(() => loadConfig(configSchema, { ...env, EXPIRATION_WINDOW_SECONDS: value })).toThrow(/EXPIRATION_WINDOW_SECONDS/);
  });

  it('needs the Ed25519 private key that signs ticket codes, and refuses a public one', () => {
    expect(loadConfig(configSchema, env).TICKET_CODE_PRIVATE_KEY.type).toBe('private');
    const { TICKET_CODE_PRIVATE_KEY: _unset, ...withoutKey } = env;
    expect(() => loadConfig(configSchema, withoutKey)).toThrow(/TICKET_CODE_PRIVATE_KEY: is required/);
    expect(() => loadConfig(configSchema, { ...env, TICKET_CODE_PRIVATE_KEY: exportEd25519Key(ticketCodeKeys.publicKey) })).toThrow(/TICKET_CODE_PRIVATE_KEY/);
  });
});
