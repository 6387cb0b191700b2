/**
 * Webhooks the way Stripe sends them: an `event` object POSTed as JSON to the configured
 * endpoint, signed in `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
 * endpoint's secret (so the SDK's `stripe.webhooks.constructEvent` verifies it), retried with
 * backoff until the endpoint answers 2xx. Like Stripe, delivery is asynchronous and unordered.
 */
import { createHmac } from 'node:crypto';
import { newId, unixNow } from './ids';
import type { PaymentIntent } from './types';

export type WebhookEventType =
  | 'payment_intent.requires_action'
  | 'payment_intent.amount_capturable_updated'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled';

export interface WebhookEndpoint {
  url: string;
  /** `whsec_…`: what the receiver passes to `constructEvent`. */
  secret: string;
}

export interface WebhookEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: PaymentIntent };
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: WebhookEventType;
}

/** What `GET /__emulator/webhook_events` reports per event. */
export interface WebhookDelivery {
  event: WebhookEvent;
  /** Delivery attempts so far, and whether one was answered 2xx. */
  attempts: number;
  delivered: boolean;
}

/** The `Stripe-Signature` header for `payload`, as Stripe computes it. */
export function signatureHeader(payload: string, secret: string, timestamp = unixNow()): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export interface WebhookSenderOptions {
  endpoint?: WebhookEndpoint;
  /** Attempts per event before giving up (Stripe keeps trying for days; tests need less). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, at most 30 s. */
  retryDelayMs?: number;
}

const KEPT_EVENTS = 1_000;

export class WebhookSender {
  endpoint: WebhookEndpoint | undefined;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(options: WebhookSenderOptions = {}) {
    this.endpoint = options.endpoint;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** Builds the event for `intent` as it is now and delivers it in the background (if an endpoint is set). */
  send(type: WebhookEventType, intent: PaymentIntent, apiVersion: string): void {
    const event: WebhookEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: apiVersion,
      created: unixNow(),
      data: { object: structuredClone(intent) },
      livemode: false,
      pending_webhooks: this.endpoint ? 1 : 0,
      request: { id: null, idempotency_key: null },
      type,
    };
    const delivery: WebhookDelivery = { event, attempts: 0, delivered: false };
    this.deliveries.push(delivery);
    if (this.deliveries.length > KEPT_EVENTS) this.deliveries.shift();
    const endpoint = this.endpoint;
    if (endpoint) void this.deliver(delivery, endpoint);
  }

  /** Every event built so far (the last thousand), oldest first. */
  events(): WebhookDelivery[] {
    return this.deliveries.map((delivery) => structuredClone(delivery));
  }

  /** Forgets the events sent so far (pending retries still run). */
  clear(): void {
    this.deliveries.splice(0);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async deliver(delivery: WebhookDelivery, endpoint: WebhookEndpoint): Promise<void> {
    if (this.stopped) return;
    delivery.attempts += 1;
    const payload = JSON.stringify(delivery.event, null, 2);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signatureHeader(payload, endpoint.secret),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        delivery.delivered = true;
        return;
      }
    } catch {
      // unreachable endpoint: retried below
    }
    if (delivery.attempts >= this.maxAttempts || this.stopped) return;
    const delay = Math.min(this.retryDelayMs * 2 ** (delivery.attempts - 1), 30_000);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(delivery, endpoint);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
