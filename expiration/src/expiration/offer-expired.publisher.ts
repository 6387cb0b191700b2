import type { EventBus } from '@microtick/common/bus/event-bus';
import { eventCatalogue, type EventEnvelope } from '@microtick/common/events';
import { withPublishSpan } from '@microtick/common/tracing';
import type { OfferExpirationJob } from './expiration-queue';
import { nameBasedUuid } from './name-based-uuid';

/** Namespace of offer-expiry event ids; never change it, or a retry would no longer be recognised. */
const OFFER_EXPIRED_EVENT_NAMESPACE = '9b7e4d21-5c3a-4f8e-b061-2d94a7c5e318';

/** An offer expires once, so its event id follows from the offer id alone. */
export const offerExpiredEventId = (offerId: string): string => nameBasedUuid(OFFER_EXPIRED_EVENT_NAMESPACE, offerId);

/**
 * Publishes `expiration:offer-expired` straight to JetStream, like `expiration:complete`: the
 * event id is the `Nats-Msg-Id` and the bytes are the same on every retry, so a worker that
 * died between publishing and completing its job cannot reach orders twice.
 */
export async function publishOfferExpired(bus: Pick<EventBus, 'js' | 'subjectFor'>, job: OfferExpirationJob): Promise<'published' | 'duplicate'> {
  const envelope: EventEnvelope<'expiration:offer-expired'> = {
    id: offerExpiredEventId(job.offerId),
    type: 'expiration:offer-expired',
    occurredAt: new Date(job.expiresAt).toISOString(),
    data: eventCatalogue['expiration:offer-expired'].parse({ offerId: job.offerId, ticketId: job.ticketId }),
  };
  const subject = bus.subjectFor('expiration:offer-expired');
  // As for expiration:complete: the trace context (from the job) goes in the headers only.
  const span = { type: envelope.type, subject, eventId: envelope.id, parent: job };
  const ack = await withPublishSpan(span, (headers) => bus.js.publish(subject, JSON.stringify(envelope), { msgID: envelope.id, headers }));
  return ack.duplicate ? 'duplicate' : 'published';
}
