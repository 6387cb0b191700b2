/**
 * Environment of the CLI: `PORT` (12111), `HOST` (127.0.0.1), `STRIPE_EMULATOR_LATENCY_MS` (0),
 * `STRIPE_EMULATOR_WEBHOOK_URL` and `STRIPE_EMULATOR_WEBHOOK_SECRET` (both or neither: where
 * webhooks are POSTed and the `whsec_…` they are signed with).
 */
import type { WebhookEndpoint } from './webhooks';

export interface EmulatorConfig {
  port: number;
  host: string;
  latencyMs: number;
  webhook?: WebhookEndpoint;
}

function webhookEndpoint(env: NodeJS.ProcessEnv): WebhookEndpoint | undefined {
  const url = env['STRIPE_EMULATOR_WEBHOOK_URL']?.trim() || undefined;
  const secret = env['STRIPE_EMULATOR_WEBHOOK_SECRET']?.trim() || undefined;
  if (url === undefined && secret === undefined) return undefined;
  if (url === undefined || secret === undefined) throw new Error('STRIPE_EMULATOR_WEBHOOK_URL and STRIPE_EMULATOR_WEBHOOK_SECRET go together');
  if (!URL.canParse(url)) throw new Error(`STRIPE_EMULATOR_WEBHOOK_URL must be an absolute URL, got '${url}'`);
  return { url, secret };
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
    webhook: webhookEndpoint(env),
  };
}
