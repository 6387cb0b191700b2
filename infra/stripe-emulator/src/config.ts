/** Environment of the CLI: `PORT` (12111), `HOST` (127.0.0.1), `STRIPE_EMULATOR_LATENCY_MS` (0). */

export interface EmulatorConfig {
  port: number;
  host: string;
  latencyMs: number;
}

function nonNegativeInteger(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be an integer between 0 and ${max}, got '${raw}'`);
  }
  return value;
}

export function parseLatency(raw: string | undefined): number {
  return nonNegativeInteger('STRIPE_EMULATOR_LATENCY_MS', raw, 0, 60_000);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EmulatorConfig {
  return {
    port: nonNegativeInteger('PORT', env['PORT'], 12111, 65_535),
    host: env['HOST']?.trim() || '127.0.0.1',
    latencyMs: parseLatency(env['STRIPE_EMULATOR_LATENCY_MS']),
  };
}
