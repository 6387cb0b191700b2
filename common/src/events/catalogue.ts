import { z } from 'zod';
import { expirationComplete } from './expiration-complete';
import { expirationOfferExpired } from './expiration-offer-expired';
import { orderCancelled } from './order-cancelled';
import { orderCompleted } from './order-completed';
import { orderCreated } from './order-created';
import { paymentCreated } from './payment-created';
import { ticketCreated } from './ticket-created';
import { ticketUpdated } from './ticket-updated';
import { waitlistOfferEnded } from './order-waitlist-offer-ended';
import { waitlistOffered } from './order-waitlist-offered';

/** Every event MicroTick publishes, by its seed name, with the schema of its payload. */
export const eventCatalogue = {
  'ticket:created': ticketCreated,
  'ticket:updated': ticketUpdated,
  'order:created': orderCreated,
  'order:cancelled': orderCancelled,
  'order:completed': orderCompleted,
  'payment:created': paymentCreated,
  'expiration:complete': expirationComplete,
  // The waiting list (docs/waitlist.md): orders offers a released ticket to the first in line.
  // Its events are orders' (`order.*` subjects), so they need no new stream subject or permission.
  'order:waitlist-offered': waitlistOffered,
  'order:waitlist-offer-ended': waitlistOfferEnded,
  'expiration:offer-expired': expirationOfferExpired,
} as const;

export type EventType = keyof typeof eventCatalogue;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalogue)[T]>;
export const eventTypes = Object.keys(eventCatalogue) as EventType[];

/** What travels on the bus: the payload wrapped with its identity. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** Unique per event; the JetStream `Nats-Msg-Id` and the consumers' idempotency key. */
  id: string;
  type: T;
  occurredAt: string;
  data: EventData<T>;
  /**
   * W3C trace context of the request or event that staged this one (docs/tracing.md), present
   * only when tracing is on. Carried in the envelope, so the outbox needs no column for it.
   */
  traceparent?: string;
  tracestate?: string;
}

/** A malformed trace context is dropped, never a reason to reject the event. */
const traceField = (max: number) => z.string().max(max).optional().catch(undefined);

const envelopeShape = z.object({
  id: z.uuid(),
  type: z.enum(eventTypes as [EventType, ...EventType[]]),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
  traceparent: traceField(100),
  tracestate: traceField(512),
});

/** Validates a message body as an event of the expected type; throws a ZodError otherwise. */
export function parseEnvelope<T extends EventType>(type: T, body: unknown): EventEnvelope<T> {
  const envelope = envelopeShape.parse(body);
  if (envelope.type !== type) throw new Error(`expected a ${type} event, got ${envelope.type}`);
  const data = eventCatalogue[type].parse(envelope.data) as EventData<T>;
  const { traceparent, tracestate } = envelope;
  return { id: envelope.id, type, occurredAt: envelope.occurredAt, data, ...(traceparent && { traceparent }), ...(tracestate && { tracestate }) };
}

/**
 * `ticket:created` → `ticket.created` (prefixed with `prefix.` when one is set), so that
 * `ticket.>` matches every ticket event. The 1:1 mapping is documented in the README.
 */
export const subjectFor = (type: EventType, prefix = ''): string => (prefix ? `${prefix}.` : '') + type.replace(':', '.');

/** The stream's subjects: one wildcard per aggregate. */
export const streamSubjects = (prefix = ''): string[] =>
  [...new Set(eventTypes.map((type) => subjectFor(type, prefix).replace(/\.[^.]+$/, '.>')))];
