import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { isTracingEnabled, markTracingStarted, tracingSettings } from './state';

/** Requests that are not work: probes and scrapes would otherwise be most of the traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Starts the SDK: spans are batched and sent over OTLP/HTTP (JSON) to the configured endpoint;
 * incoming and outgoing HTTP, Express route handlers and Postgres queries are instrumented.
 * Must run before express and pg are first required (see `tracing/register`), because the
 * instrumentations patch modules as they load. Idempotent.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (isTracingEnabled()) return true;
  if (!tracingSettings(env).enabled) return false;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || serviceName, 'service.namespace': 'microtick' }),
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _HEADERS / _TIMEOUT itself; the
    // processor OTEL_BSP_*; the provider OTEL_TRACES_SAMPLER(_ARG).
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // W3C trace context (traceparent/tracestate) and baggage, the defaults.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? '') }),
      // A span per middleware (body parser, cookie session, logger …) would triple the spans
      // of every request and say little; route handlers are what differ between requests.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      // Only queries inside a traced request or event: the relay's and retention's polling
      // would otherwise make a trace per second. No parameter values (personal data, secrets).
      // No spans for taking a pooled connection: two more spans per transaction, and a wait
      // for the pool already shows as the gap before BEGIN.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false, ignoreConnectSpans: true }),
    ],
  });
  markTracingStarted(() => provider.shutdown());
  return true;
}

/**
 * The service's name for the preload, which runs before any of our code: the `name` of the
 * package that holds the main script (`@microtick/orders` → `orders`).
 */
export function serviceNameOf(mainScript: string | undefined): string {
  let dir = mainScript ? path.dirname(path.resolve(mainScript)) : process.cwd();
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name) return name.replace(/^@[^/]+\//, '');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown-service';
    dir = parent;
  }
}
