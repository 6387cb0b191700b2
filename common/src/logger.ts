import pino, { type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from './tracing/propagation';

export type { Logger };

/** What a redacted value is replaced with, so a reader sees that something was there. */
export const REDACTED = '[redacted]';

/** Request and response headers that carry credentials (sessions, API keys, webhook signatures). */
const SECRET_HEADERS = ['cookie', 'authorization', 'proxy-authorization', 'stripe-signature', 'x-api-key'];

/** Field names that hold secrets wherever they appear in a logged object (top level or one level down). */
const SECRET_FIELDS = [
  // passwords and sessions
  'password', 'currentPassword', 'newPassword', 'passwordHash', 'jwt', 'token', 'session',
  // configuration secrets (a config object logged by mistake)
  'JWT_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'NATS_PASSWORD', 'REDIS_PASSWORD', 'DATABASE_URL', 'REDIS_URL',
  'stripeSecretKey', 'webhookSecret', 'jwtKey',
  // card data and payment secrets
  'card', 'cvc', 'cvv', 'number', 'exp_month', 'exp_year', 'client_secret', 'clientSecret', 'payment_method_data',
];

/**
 * The one list of paths every MicroTick logger redacts (pino `redact`): pino-http's `req`/`res`
 * serializers log every header, so a session cookie, a `Set-Cookie`, a bearer token or a Stripe
 * webhook signature would otherwise reach the log pipeline; and a password or card field in a
 * logged object is caught wherever it sits at the top level or one level down.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_HEADERS.map((header) => `req.headers["${header}"]`),
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `req.body.${field}`]),
];

/**
 * Structured JSON logs, one logger per service, named so merged logs stay readable; every
 * secret in `REDACTED_PATHS` is replaced before a line is written. With tracing on, each line
 * logged inside a request or event carries its `trace_id` and `span_id`. `destination` lets
 * tests capture the exact bytes a service would write.
 */
export const createLogger = (service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger =>
  pino(
    {
      name: service,
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceLogFields,
      redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    },
    ...(destination ? [destination] : []),
  );
