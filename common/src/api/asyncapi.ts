import { z } from 'zod';
import { eventCatalogue, subjectFor, type EventType } from '../events/catalogue';

/**
 * Who publishes each event and which services consume it (SPEC §4). Keyed by every event
 * type, so a new event does not compile until it is placed here too.
 */
export const eventParticipants: Record<EventType, { publisher: string; consumers: readonly string[]; summary: string }> = {
  'ticket:created': { publisher: 'tickets', consumers: ['orders'], summary: 'A ticket was listed for sale.' },
  'ticket:updated': { publisher: 'tickets', consumers: ['orders'], summary: 'A ticket changed: edited, reserved by an order, or released.' },
  'order:created': { publisher: 'orders', consumers: ['tickets', 'payments', 'expiration'], summary: 'A ticket was reserved until `expiresAt`.' },
  'order:cancelled': { publisher: 'orders', consumers: ['tickets', 'payments', 'expiration'], summary: 'An order was cancelled; its ticket is released and any authorization voided.' },
  'order:completed': { publisher: 'orders', consumers: ['payments', 'tickets', 'expiration'], summary: 'Orders accepted an authorization: the order is complete; payments captures it.' },
  'payment:created': { publisher: 'payments', consumers: ['orders'], summary: "An order's price was authorized on the buyer's card (held, not yet taken); orders decides." },
  'expiration:complete': { publisher: 'expiration', consumers: ['orders'], summary: "An order's payment window has passed." },
  'order:waitlist-offered': { publisher: 'orders', consumers: ['tickets', 'expiration'], summary: 'The first in line of a ticket\'s waiting list has it to themselves until `offerExpiresAt` (docs/waitlist.md).' },
  'order:waitlist-offer-ended': { publisher: 'orders', consumers: ['tickets', 'expiration'], summary: 'A waiting-list offer ended: ordered, lapsed or left.' },
  'expiration:offer-expired': { publisher: 'expiration', consumers: ['orders'], summary: "A waiting-list offer's window has passed." },
};

/** `order:created` → `orderCreated`, the key of its channel and message. */
const keyOf = (type: EventType): string => type.replace(/:(.)/, (_, c: string) => c.toUpperCase());
const capitalised = (text: string): string => `${text[0]!.toUpperCase()}${text.slice(1)}`;

/** The envelope every event travels in, with this event's payload as `data` (JSON Schema draft-07, AsyncAPI's schema dialect). */
const envelopeSchema = (type: EventType) => {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(
    z.object({
      id: z.uuid().meta({ description: 'Unique per event: the JetStream Nats-Msg-Id and the consumers\' idempotency key.' }),
      type: z.literal(type),
      occurredAt: z.iso.datetime({ offset: true }),
      data: eventCatalogue[type],
    }),
    { target: 'draft-7', io: 'output' },
  );
  return schema;
};

/**
 * The AsyncAPI 3 description of the event catalogue: one channel per event (its JetStream
 * subject), the envelope and payload schemas from common/src/events, and a send operation for
 * its publisher and a receive operation per consuming service (each a durable consumer named
 * `<service>-<event>`). Written to docs/asyncapi.yaml by `npm run docs:api`.
 */
export function buildAsyncApiDocument() {
  const types = Object.keys(eventCatalogue) as EventType[];
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const type of types) {
    const key = keyOf(type);
    const { publisher, consumers, summary } = eventParticipants[type];
    messages[key] = {
      name: type,
      title: type,
      summary,
      headers: { type: 'object', properties: { 'Nats-Msg-Id': { type: 'string', description: 'The event id: JetStream drops a repeat within its duplicate window.' } } },
      payload: envelopeSchema(type),
    };
    channels[key] = {
      address: subjectFor(type),
      description: `\`${type}\` (${summary}) Prefixed with \`NATS_SUBJECT_PREFIX.\` when one is configured.`,
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
    };
    const operation = (action: 'send' | 'receive', service: string) => ({
      action,
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
      summary: action === 'send' ? `${service} publishes ${type} through its outbox.` : `${service} consumes ${type} (durable consumer ${service}-${type.replace(':', '-')}).`,
      tags: [{ name: service }],
    });
    operations[`${publisher}Sends${capitalised(key)}`] = operation('send', publisher);
    for (const consumer of consumers) operations[`${consumer}Receives${capitalised(key)}`] = operation('receive', consumer);
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'MicroTick events',
      version: '2.0.0',
      description:
        'The events MicroTick services exchange on NATS JetStream (stream MICROTICK). Each is published through its service\'s transactional outbox ' +
        'with its event id as Nats-Msg-Id and consumed idempotently. Generated from common/src/events by `npm run docs:api`; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:4222', protocol: 'nats', description: 'nats-server with JetStream (npm run infra)' } },
    channels,
    operations,
    components: { messages },
  };
}
