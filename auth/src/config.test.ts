import { ConfigError, loadConfig } from '@microtick/common';
import { configSchema } from './config';

const valid = { DATABASE_URL: 'postgres://microtick:microtick@127.0.0.1:5432/microtick_auth', JWT_KEY: 'k'.repeat(32) };

describe('auth config', () => {
  it('defaults to port 3001, 7-day sessions and 10 sign-ins / 30 sign-ups per minute', () => {
    expect(loadConfig(configSchema, valid)).toMatchObject({
      PORT: 3001,
      JWT_EXPIRES_IN_SECONDS: 604_800,
      SIGNIN_RATE_LIMIT_PER_MINUTE: 10,
      SIGNUP_RATE_LIMIT_PER_MINUTE: 30,
    });
  });

  it('reads its own settings from the environment', () => {
    const config = loadConfig(configSchema, { ...valid, JWT_EXPIRES_IN_SECONDS: '3600', SIGNIN_RATE_LIMIT_PER_MINUTE: '1000' });
    expect(config).toMatchObject({ JWT_EXPIRES_IN_SECONDS: 3600, SIGNIN_RATE_LIMIT_PER_MINUTE: 1000 });
  });

  it('names a missing DATABASE_URL', () => {
    expect(() => loadConfig(configSchema, { JWT_KEY: valid.JWT_KEY })).toThrow(/DATABASE_URL: is required/);
  });

  it('names a JWT_KEY too short outside tests', () => {
    expect(() => loadConfig(configSchema, { ...valid, JWT_KEY: 'short', NODE_ENV: 'production' })).toThrow(/JWT_KEY: must be at least 32 characters/);
  });

  it.each([
    ['JWT_EXPIRES_IN_SECONDS', 'soon'],
    ['JWT_EXPIRES_IN_SECONDS', '0'],
    ['SIGNIN_RATE_LIMIT_PER_MINUTE', '0'],
    ['SIGNUP_RATE_LIMIT_PER_MINUTE', '2.5'],
  ])('rejects %s=%s, naming it', (name, value) => {
    expect(() => loadConfig(configSchema, { ...valid, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(configSchema, { ...valid, [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});
