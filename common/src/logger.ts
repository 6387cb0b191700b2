import pino, { type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from './tracing/propagation';

export type { Logger };

/** What a redacted value is replaced with, so a reader sees that something was there. */
export const REDACTED = '[redacted]';

/** Request headers that carry credentials (sessions, API keys, webhook signatures). */
export const SECRET_REQUEST_HEADERS: readonly string[] = ['cookie', 'authorization', 'proxy-authorization', 'stripe-signature', 'x-api-key'];

/** Response headers that carry credentials. */
export const SECRET_RESPONSE_HEADERS: readonly string[] = ['set-cookie'];

/** Field names that hold secrets wherever they appear in a logged object (top level or one level down). */
export const SECRET_FIELDS: readonly string[] = [
  // passwords and sessions
  'password', 'currentPassword', 'newPassword', 'passwordHash', 'jwt', 'token', 'session',
  // configuration secrets (a config object logged by mistake)
  'JWT_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'NATS_PASSWORD', 'REDIS_PASSWORD', 'DATABASE_URL', 'REDIS_URL',
  'stripeSecretKey', 'webhookSecret', 'jwtKey',
  // card data and payment secrets
  'card', 'cvc', 'cvv', 'number', 'exp_month', 'exp_year', 'client_secret', 'clientSecret', 'payment_method_data',
];

const secretFields = new Set(SECRET_FIELDS);

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/**
 * `value` with every own key in `names` replaced by REDACTED; the same object when it has none
 * (the usual case, so a clean line allocates nothing), a shallow copy otherwise: the caller's
 * object is never changed. Arrays are left alone, as path redaction did (`*.card` names a key).
 */
function withKeysRedacted(value: Fields, names: ReadonlySet<string>): Fields {
  if (Array.isArray(value)) return value;
  let copy: Fields | undefined;
  for (const key in value) {
    if (names.has(key) && Object.prototype.hasOwnProperty.call(value, key)) {
      copy ??= { ...value };
      copy[key] = REDACTED;
    }
  }
  return copy ?? value;
}

const requestHeaderNames = new Set(SECRET_REQUEST_HEADERS);
const responseHeaderNames = new Set(SECRET_RESPONSE_HEADERS);

/** The request headers with the credential-bearing ones replaced by REDACTED. */
export const redactRequestHeaders = (headers: Fields): Fields => withKeysRedacted(headers, requestHeaderNames);

/** The response headers with `Set-Cookie` replaced by REDACTED. */
export const redactResponseHeaders = (headers: Fields): Fields => withKeysRedacted(headers, responseHeaderNames);

/** One nested value: its secret fields, and for `req`/`res` the secret headers and body fields. */
function redactNested(key: string, value: Fields): Fields {
  let result = withKeysRedacted(value, secretFields);
  const headers = result.headers;
  const body = result.body;
  if (key === 'req') {
    const safeHeaders = isObject(headers) ? redactRequestHeaders(headers) : headers;
    const safeBody = isObject(body) ? withKeysRedacted(body, secretFields) : body;
    if (safeHeaders !== headers || safeBody !== body) result = { ...result, headers: safeHeaders, body: safeBody };
  } else if (key === 'res' && isObject(headers)) {
    const safeHeaders = redactResponseHeaders(headers);
    if (safeHeaders !== headers) result = { ...result, headers: safeHeaders };
  }
  return result;
}

/**
 * The secrets every MicroTick log line loses before it is written: a secret field at the top level
 * or one level down (`password`, `body.password`, `config.JWT_KEY`, `card`…), the credential
 * headers of `req.headers` and `res.headers` (cookie, authorization, Stripe signature, API key,
 * Set-Cookie), and the secret fields of `req.body`. One pass over the keys the line has, instead
 * of pino's path redaction, which walked ~100 paths (30 of them wildcards) for every key of every
 * line. Returns `fields` itself when there is nothing to remove.
 */
export function redactSecrets(fields: Fields): Fields {
  let copy: Fields | undefined;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const value = fields[key];
    let safe: unknown = value;
    if (secretFields.has(key)) safe = REDACTED;
    else if (value instanceof Error) {
      // `err` goes through errorSerializer; an Error under another key is written as its own
      // enumerable fields.
      if (key !== 'err') safe = withKeysRedacted(value as unknown as Fields, secretFields);
    } else if (isObject(value)) safe = redactNested(key, value);
    if (safe !== value) {
      copy ??= { ...fields };
      copy[key] = safe;
    }
  }
  return copy ?? fields;
}

/** pino's error serializer, then the same redaction one level into the error (`err.password`). */
const errorSerializer = (err: unknown): unknown => {
  const serialized: unknown = pino.stdSerializers.err(err as Error);
  return isObject(serialized) ? withKeysRedacted(serialized, secretFields) : serialized;
};


/**
 * Structured JSON logs, one logger per service, named so merged logs stay readable; every
 * secret `redactSecrets` knows is removed before a line is written, whether it comes with the
 * line or with a child logger's bindings. With tracing on, each line logged inside a request or
 * event carries its `trace_id` and `span_id`. `destination` lets tests capture the exact bytes a
 * service would write.
 */
export const createLogger = (service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger => {
  const logger = pino(
    {
      name: service,
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceLogFields,
      serializers: { err: errorSerializer },
      formatters: { log: redactSecrets },
    },
    ...(destination ? [destination] : []),
  );
  redactChildBindings(logger);
  return logger;
};

/**
 * pino's `formatters.log` sees each line's own fields, not a child logger's bindings (written
 * once, when the child is made). Children are created from their parent by prototype, so an
 * own `child` on the root is what every descendant calls: it redacts the bindings first.
 */
function redactChildBindings(root: Logger): void {
  const makeChild = root.child;
  const child = function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return Reflect.apply(makeChild, this, [redactSecrets(bindings), options]) as Logger;
  };
  Object.defineProperty(root, 'child', { value: child, writable: true, configurable: true });
}
