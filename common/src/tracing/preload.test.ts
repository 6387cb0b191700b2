import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The preload and its fallback, each in a fresh Node process (the SDK registers process-wide
 * globals and module hooks, which must not leak into this jest worker). Runs the compiled
 * common/dist, as the services do.
 */
const dist = path.resolve(__dirname, '../../dist');

function run(script: string, options: { preload: boolean; env?: Record<string, string> }): { loaded: string[]; output: string; status: number | null } {
  const result = spawnSync(process.execPath, [...(options.preload ? ['--require', path.join(dist, 'tracing/register.js')] : []), '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lines = result.stdout.trim().split('\n');
  return { loaded: JSON.parse(lines.at(-1) ?? '[]') as string[], output: result.stdout + result.stderr, status: result.status };
}

/** Requires common (express, pg, the bus …) the way a service's main.js does, then lists the OpenTelemetry SDK modules loaded. */
const LOAD_COMMON = `
  const common = require(${JSON.stringify(dist)});
  const logged = [];
  const logger = { info: (o, m) => logged.push(m), warn: (o, m) => logged.push(typeof o === 'string' ? o : m) };
  common.setUpServiceTracing('probe', logger, { onStop() {} });
  logged.forEach((line) => console.log(line));
  console.log('enabled=' + common.isTracingEnabled());
  console.log(JSON.stringify([...new Set(Object.keys(require.cache).map((file) => (file.match(/@opentelemetry\\/[^/]+/) || [''])[0]).filter((name) => name && name !== '@opentelemetry/api'))]));
`;

it('loads no part of the OpenTelemetry SDK while tracing is off', () => {
  const { loaded, output, status } = run(LOAD_COMMON, { preload: true });
  expect(status).toBe(0);
  expect(output).toContain('enabled=false');
  expect(loaded).toEqual([]);
});

it('with an endpoint, the preload starts the SDK and its instrumentations before common loads express and pg', () => {
  const { loaded, output, status } = run(LOAD_COMMON, { preload: true, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  expect(status).toBe(0);
  expect(output).toContain('enabled=true');
  expect(output).not.toContain('without the preload');
  expect(loaded).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace-node', '@opentelemetry/instrumentation-express', '@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-http']));
});

it('without the preload, a configured endpoint still starts tracing at start-up, and the log says what is missing', () => {
  const { output, status } = run(LOAD_COMMON, { preload: false, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  expect(status).toBe(0);
  expect(output).toContain('enabled=true');
  expect(output).toContain('tracing started without the preload');
});
