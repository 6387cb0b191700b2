import { loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:12111 without latency', () => {
    expect(loadConfig({})).toEqual({ port: 12111, host: '127.0.0.1', latencyMs: 0 });
  });

  it('reads PORT, HOST and STRIPE_EMULATOR_LATENCY_MS', () => {
    expect(loadConfig({ PORT: '4010', HOST: '0.0.0.0', STRIPE_EMULATOR_LATENCY_MS: '250' })).toEqual({
      port: 4010,
      host: '0.0.0.0',
      latencyMs: 250,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ STRIPE_EMULATOR_LATENCY_MS: '-1' }, /STRIPE_EMULATOR_LATENCY_MS/],
    [{ STRIPE_EMULATOR_LATENCY_MS: '1.5' }, /STRIPE_EMULATOR_LATENCY_MS/],
  ])('fails fast on %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
