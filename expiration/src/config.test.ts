import { ConfigError, loadConfig } from '@microtick/common';
import { configSchema } from './config';

describe('expiration config', () => {
  it('needs nothing but defaults: no database URL, no JWT key', () => {
    expect(loadConfig(configSchema, {})).toEqual({
      NODE_ENV: 'development',
      PORT: 3005,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_STREAM: 'MICROTICK',
      NATS_STREAM_REPLICAS: 1,
      NATS_STREAM_MAX_AGE_HOURS: 168,
      NATS_STREAM_MAX_BYTES: 8 * 1024 ** 3,
      NATS_SUBJECT_PREFIX: '',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: 'microtick',
    });
  });

  it('takes its NATS and Redis identities from the environment', () => {
    const config = loadConfig(configSchema, { NATS_USER: 'expiration', NATS_PASSWORD: 'n', REDIS_USERNAME: 'expiration', REDIS_PASSWORD: 'r', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config).toMatchObject({ NATS_USER: 'expiration', NATS_PASSWORD: 'n', REDIS_USERNAME: 'expiration', REDIS_PASSWORD: 'r' });
  });

  it('takes Redis settings from the environment', () => {
    const config = loadConfig(configSchema, { REDIS_URL: 'rediss://cache.internal:6380/2', REDIS_KEY_PREFIX: 'stack-2', PORT: '0' });
    expect(config).toMatchObject({ REDIS_URL: 'rediss://cache.internal:6380/2', REDIS_KEY_PREFIX: 'stack-2', PORT: 0 });
  });

  it('names every malformed variable', () => {
    const load = () => loadConfig(configSchema, { REDIS_URL: 'http://127.0.0.1:6379', REDIS_KEY_PREFIX: 'a:b', PORT: '70000' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/REDIS_URL: must be a redis: or rediss: URL/);
    expect(load).toThrow(/REDIS_KEY_PREFIX: letters, digits, _ and - only/);
    expect(load).toThrow(/PORT:/);
  });
});
