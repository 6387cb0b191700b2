import { z } from 'zod';
import { ConfigError, defineServiceConfig, loadConfig } from './config';

const schema = defineServiceConfig({ PORT: z.coerce.number().int().default(3002), WINDOW: z.coerce.number().int().positive().default(900) });
const valid = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', JWT_KEY: 'k'.repeat(32) };

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig(schema, { ...valid, WINDOW: '60' });
    expect(config).toMatchObject({ PORT: 3002, WINDOW: 60, NATS_URL: 'nats://127.0.0.1:4222', NATS_STREAM: 'MICROTICK', NATS_SUBJECT_PREFIX: '' });
  });

  it("accepts every server of a NATS cluster, comma-separated, and refuses a list with a bad one", () => {
    const cluster = 'nats://nats-0.nats:4222, nats://nats-1.nats:4222,tls://nats-2.nats:4222';
    expect(loadConfig(schema, { ...valid, NATS_URL: cluster }).NATS_URL).toBe(cluster);
    expect(() => loadConfig(schema, { ...valid, NATS_URL: 'nats://a:4222,http://b:4222' })).toThrow(/NATS_URL: must be nats: or tls: URLs, comma-separated/);
    expect(() => loadConfig(schema, { ...valid, NATS_URL: 'nats://a:4222,' })).toThrow(/NATS_URL/);
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(schema, { JWT_KEY: valid.JWT_KEY })).toThrow(/DATABASE_URL: is required/);
  });

  it('names every malformed variable', () => {
    const error = (() => {
      try {
        loadConfig(schema, { ...valid, DATABASE_URL: 'mysql://x', WINDOW: '-5', NATS_STREAM: 'a.b' });
      } catch (err) {
        return err as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/DATABASE_URL: must be a postgres: or postgresql: URL/);
    expect(error?.message).toMatch(/WINDOW:/);
    expect(error?.message).toMatch(/NATS_STREAM:/);
  });

  it('names a weak JWT key together with other problems', () => {
    expect(() => loadConfig(schema, { JWT_KEY: 'short' })).toThrow(/DATABASE_URL: is required[\s\S]*JWT_KEY: must be at least 32/);
  });

  it('requires a real JWT key outside tests', () => {
    expect(() => loadConfig(schema, { ...valid, JWT_KEY: 'short' })).toThrow(/JWT_KEY: must be at least 32 characters/);
    expect(loadConfig(schema, { ...valid, JWT_KEY: 'short', NODE_ENV: 'test' }).JWT_KEY).toBe('short');
  });

  it('listens on loopback unless HOST says otherwise', () => {
    expect(loadConfig(schema, valid).HOST).toBe('127.0.0.1');
    expect(loadConfig(schema, { ...valid, HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('takes NATS credentials as a pair, and a one-token subject prefix', () => {
    expect(loadConfig(schema, { ...valid, NATS_USER: 'orders', NATS_PASSWORD: 'secret' })).toMatchObject({ NATS_USER: 'orders', NATS_PASSWORD: 'secret' });
    expect(loadConfig(schema, { ...valid, NATS_USER: '', NATS_PASSWORD: '' }).NATS_USER).toBeUndefined();
    expect(() => loadConfig(schema, { ...valid, NATS_USER: 'orders' })).toThrow(/NATS_PASSWORD: NATS_USER and NATS_PASSWORD are set together/);
    expect(() => loadConfig(schema, { ...valid, NATS_SUBJECT_PREFIX: 'a.b' })).toThrow(/NATS_SUBJECT_PREFIX: a single subject token/);
  });

  it('refuses a processed-event retention shorter than the stream max age', () => {
    expect(loadConfig(schema, valid)).toMatchObject({ NATS_STREAM_MAX_AGE_HOURS: 168, PROCESSED_EVENTS_RETENTION_DAYS: 30 });
    expect(() => loadConfig(schema, { ...valid, NATS_STREAM_MAX_AGE_HOURS: String(31 * 24) })).toThrow(/PROCESSED_EVENTS_RETENTION_DAYS: must cover NATS_STREAM_MAX_AGE_HOURS/);
    expect(loadConfig(schema, { ...valid, NATS_STREAM_MAX_AGE_HOURS: String(31 * 24), PROCESSED_EVENTS_RETENTION_DAYS: '31' }).PROCESSED_EVENTS_RETENTION_DAYS).toBe(31);
  });
});
