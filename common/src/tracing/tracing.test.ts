import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseEnvelope } from '../events/catalogue';
import { serviceNameOf } from './sdk';
import { currentTraceFields, isTracingEnabled, tracingSettings, traceLogFields } from './index';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('tracing settings', () => {
  it('is off unless an OTLP endpoint is configured, and can be switched off with the standard variables', () => {
    expect(tracingSettings({})).toEqual({ enabled: false });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ enabled: true, endpoint: 'http://collector:4318' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).enabled).toBe(true);
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
  });

  it('adds nothing to envelopes or log lines while off', () => {
    expect(isTracingEnabled()).toBe(false);
    expect(currentTraceFields()).toEqual({});
    expect(traceLogFields()).toEqual({});
  });

  it("names the service after the package of its main script, as the preload sees it", () => {
    const repo = path.resolve(__dirname, '../../..');
    expect(serviceNameOf(path.join(repo, 'orders/dist/main.js'))).toBe('orders');
    expect(serviceNameOf(path.join(repo, 'infra/stripe-emulator/dist/main.js'))).toBe('stripe-emulator');
  });
});

describe('trace context in the envelope', () => {
  const envelope = (extra: Record<string, unknown>) => ({ id: randomUUID(), type: 'expiration:complete', occurredAt: new Date().toISOString(), data: { orderId: randomUUID() }, ...extra });

  it('is kept when a consumer parses the event', () => {
    expect(parseEnvelope('expiration:complete', envelope({ traceparent: TRACEPARENT, tracestate: 'vendor=1' }))).toMatchObject({ traceparent: TRACEPARENT, tracestate: 'vendor=1' });
  });

  it('is dropped, never a reason to reject the event, when malformed', () => {
    const parsed = parseEnvelope('expiration:complete', envelope({ traceparent: 42, tracestate: 'x'.repeat(10_000) }));
    expect(parsed).not.toHaveProperty('traceparent');
    expect(parsed).not.toHaveProperty('tracestate');
  });
});
