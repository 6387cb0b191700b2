import { trace, type Tracer } from '@opentelemetry/api';

/**
 * Whether tracing runs, without loading the SDK: services import this through
 * `@microtick/common`, and with tracing off (the local default) the SDK, exporter and
 * instrumentations are never even required.
 */
let shutdown: (() => Promise<void>) | undefined;

/**
 * Tracing is on when an OTLP endpoint is configured (the standard variables, so a collector's
 * usual settings work unchanged) and the SDK is not disabled. Off, nothing is registered: the
 * OpenTelemetry API stays a no-op and our hooks return straight away.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): { enabled: boolean; endpoint?: string } {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const off = (value: string | undefined) => value?.trim().toLowerCase();
  const disabled = off(env.OTEL_SDK_DISABLED) === 'true' || off(env.OTEL_TRACES_EXPORTER) === 'none';
  return endpoint && !disabled ? { enabled: true, endpoint } : { enabled: false };
}

export const isTracingEnabled = (): boolean => shutdown !== undefined;

/** Called by the SDK set-up once spans are being exported. */
export function markTracingStarted(stop: () => Promise<void>): void {
  shutdown = stop;
}

/** Sends what is still buffered; a service's shutdown awaits it last. */
export async function stopTracing(): Promise<void> {
  const stop = shutdown;
  shutdown = undefined;
  await stop?.();
}

/** Our own spans (relay publishes, consumers) come from this tracer. */
export const microtickTracer = (): Tracer => trace.getTracer('@microtick/common');
