import { ConfigError, loadConfig } from '@microtick/common';
import { configSchema } from './config';

const env = { DATABASE_URL: 'postgres://microtick:microtick@127.0.0.1:5432/microtick_orders', JWT_KEY: 'a-jwt-key-that-is-at-least-32-characters' };

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
});
