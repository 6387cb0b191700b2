import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one logger per service, named so merged logs stay readable. */
export const createLogger = (service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger =>
  pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
