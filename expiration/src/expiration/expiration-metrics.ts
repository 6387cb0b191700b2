import { Counter, Histogram, type Registry } from 'prom-client';

export interface ExpirationMetrics {
  published: Counter;
  lateness: Histogram;
}

/** Registered on the service's `ServiceMetrics.registry`, so `GET /metrics` shows them. */
export const registerExpirationMetrics = (registry: Registry): ExpirationMetrics => ({
  published: new Counter({
    name: 'expirations_published_total',
    help: 'expiration:complete events acknowledged by JetStream (duplicates of an earlier publish not counted)',
    registers: [registry],
  }),
  lateness: new Histogram({
    name: 'expiration_lateness_seconds',
    help: "Time from an order's expiresAt to JetStream acknowledging its expiration:complete",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
    registers: [registry],
  }),
});
