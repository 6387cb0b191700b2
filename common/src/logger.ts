import pino, { type Logger } from 'pino';
import { traceLogFields } from './tracing/propagation';

export type { Logger };

/**
 * Structured JSON logs, one logger per service, named so merged logs stay readable. With
 * tracing on, each line logged inside a request or event carries its `trace_id` and `span_id`.
 */
export const createLogger = (service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger =>
  pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceLogFields });
