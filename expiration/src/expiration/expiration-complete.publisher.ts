import type { EventBus } from '@microtick/common/bus/event-bus';
import { eventCatalogue, type EventEnvelope } from '@microtick/common/events';
import { withPublishSpan } from '@microtick/common/tracing';
import type { ExpirationJob } from './expiration-queue';
import { nameBasedUuid } from './name-based-uuid';

/** Namespace of expiration event ids; never change it, or a retry would no longer be recognised. */
const EXPIRATION_EVENT_NAMESPACE = '3f1c2a9e-8d4b-4c61-9a57-0e6b2d8f7c13';

/** An order expires once, so its expiration event id follows from the order id alone. */
export const expirationEventId = (orderId: string): string => nameBasedUuid(EXPIRATION_EVENT_NAMESPACE, orderId);

/**
 * Publishes `expiration:complete` straight to JetStream (this service has no database, hence no
 * outbox) and resolves once the stream has stored it. The event id is also the `Nats-Msg-Id`,
 * so when a worker dies between publishing and completing its job, the retry's publish is
 * dropped by JetStream as a `duplicate` instead of reaching orders twice.
 */
export async function publishExpirationComplete(bus: Pick<EventBus, 'js' | 'subjectFor'>, job: ExpirationJob): Promise<'published' | 'duplicate'> {
  const envelope: EventEnvelope<'expiration:complete'> = {
    id: expirationEventId(job.orderId),
    type: 'expiration:complete',
    // When the payment window closed, not when we got round to saying so: every retry then
    // publishes the very same bytes.
    occurredAt: new Date(job.expiresAt).toISOString(),
    data: eventCatalogue['expiration:complete'].parse({ orderId: job.orderId }),
  };
  const subject = bus.subjectFor('expiration:complete');
  // The trace context goes in the headers only (from the job), so the body stays byte-identical.
  const span = { type: envelope.type, subject, eventId: envelope.id, parent: job };
  const ack = await withPublishSpan(span, (headers) => bus.js.publish(subject, JSON.stringify(envelope), { msgID: envelope.id, headers }));
  return ack.duplicate ? 'duplicate' : 'published';
}
