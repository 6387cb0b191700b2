import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { EventType } from '../events/catalogue';
import { isTracingEnabled, microtickTracer } from './state';

/**
 * W3C trace context as it rides inside our own data: an outbox envelope (so it survives the
 * commit and the relay's later pass) and an expiration job in Redis (so the timer that fires
 * minutes later continues the purchase's trace).
 */
export interface TraceFields {
  traceparent?: string;
  tracestate?: string;
}

/** The active span's context as fields to store; `{}` when tracing is off or nothing is traced. */
export function currentTraceFields(): TraceFields {
  if (!isTracingEnabled()) return {};
  const fields: TraceFields = {};
  propagation.inject(context.active(), fields);
  return fields;
}

/** The context stored fields describe (the root context when they are missing or invalid). */
export const contextFromFields = (fields: TraceFields | undefined): Context =>
  fields?.traceparent ? propagation.extract(ROOT_CONTEXT, fields) : ROOT_CONTEXT;

const natsHeaderGetter: TextMapGetter<MsgHdrs> = {
  keys: (carrier) => carrier.keys(),
  get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
};

export interface PublishSpanInput {
  type: EventType;
  subject: string;
  eventId: string;
  /** The context the event was staged in (the envelope's fields or the job's). */
  parent?: TraceFields;
  attributes?: Attributes;
}

/**
 * Wraps one JetStream publish in a PRODUCER span, child of the context the event was staged in,
 * and hands `publish` the NATS headers (`traceparent`, `tracestate`) that make the consumers'
 * spans its children. Tracing off: `publish(undefined)` and nothing else.
 */
export async function withPublishSpan<T>(input: PublishSpanInput, publish: (headers: MsgHdrs | undefined) => Promise<T>): Promise<T> {
  if (!isTracingEnabled()) return publish(undefined);
  const attributes: Attributes = {
    'messaging.system': 'nats',
    'messaging.operation.type': 'send',
    'messaging.destination.name': input.subject,
    'messaging.message.id': input.eventId,
    'microtick.event.type': input.type,
    ...input.attributes,
  };
  return microtickTracer().startActiveSpan(`publish ${input.type}`, { kind: SpanKind.PRODUCER, attributes }, contextFromFields(input.parent), async (span) => {
    try {
      const headers = natsHeaders();
      propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
      return await publish(headers);
    } catch (err) {
      recordFailure(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

export interface ConsumerSpanInput {
  msg: JsMsg;
  consumer: string;
  type: EventType;
  eventId: string;
  /** Used when the message has no trace headers (published by something that set none). */
  envelope?: TraceFields;
}

/**
 * Runs one delivery's handling in a CONSUMER span, child of the publish span named in the
 * message's headers, so Postgres queries and outbox rows written by the handler join the same
 * trace. The result (`processed`/`duplicate`) becomes an attribute; a throw is recorded (a
 * "not yet" as an event, not an error) and rethrown for the runner to nak or park.
 */
export async function withConsumerSpan<T extends string>(input: ConsumerSpanInput, handle: () => Promise<T>): Promise<T> {
  if (!isTracingEnabled()) return handle();
  const { msg } = input;
  const parent = msg.headers?.has('traceparent') ? propagation.extract(ROOT_CONTEXT, msg.headers, natsHeaderGetter) : contextFromFields(input.envelope);
  const attributes: Attributes = {
    'messaging.system': 'nats',
    'messaging.operation.type': 'process',
    'messaging.destination.name': msg.subject,
    'messaging.message.id': input.eventId,
    'messaging.consumer.group.name': input.consumer,
    'microtick.event.type': input.type,
    'microtick.stream.sequence': msg.seq,
    'microtick.deliveries': msg.info.deliveryCount,
  };
  return microtickTracer().startActiveSpan(`process ${input.type}`, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      const outcome = await handle();
      span.setAttribute('microtick.outcome', outcome);
      return outcome;
    } catch (err) {
      if (err instanceof Error && err.name === 'RetryLater') {
        span.setAttribute('microtick.outcome', 'retry');
        span.addEvent('not applicable yet', { reason: err.message });
      } else recordFailure(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** `trace_id`/`span_id` of the active span for log lines (pino's mixin); `{}` when untraced. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  if (!isTracingEnabled()) return {};
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
}

function recordFailure(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}
