import { z } from 'zod';

/** Thrown at start-up when the environment does not describe a runnable service. */
export class ConfigError extends Error {}

/** An optional setting where an empty value means unset (what `VAR=` in a shell or manifest gives). */
export const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional());

const port = z.coerce.number().int().min(0).max(65535);
const isUrl = (value: string, protocols: string[]) => {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};
const url = (protocols: string[]) => z.string().refine((value) => isUrl(value, protocols), `must be a ${protocols.join(' or ')} URL`);
/** One server, or every server of a cluster comma-separated (the client moves to another when one goes away). */
const urlList = (protocols: string[]) =>
  z.string().refine((value) => value.split(',').every((item) => isUrl(item.trim(), protocols)), `must be ${protocols.join(' or ')} URLs, comma-separated`);

/** Settings every MicroTick service needs; a service extends this with its own. */
export const serviceConfigShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  /**
   * Address to listen on: loopback unless configured, so `npm start` exposes nothing to the
   * network; containers set `0.0.0.0` explicitly (their pod network is the boundary there).
   */
  HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * A unix socket path the service listens on besides PORT (0600; its directory should be
   * 0700). The local runner sets it so its gateway reaches the services without loopback TCP;
   * PORT stays for everything else (probes, /metrics, tests, Kubernetes). Unset: PORT only.
   */
  HTTP_SOCKET: optionalText,
  /**
   * Which hops may set X-Forwarded-For/-Proto (Express `trust proxy`): only what sits in front
   * of us. Loopback (the local gateway) by default; Kubernetes names its pod network
   * (e.g. `loopback, 10.0.0.0/8`) so the ingress's client address and https count.
   */
  TRUST_PROXY: z.string().min(1).default('loopback'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  NATS_URL: urlList(['nats:', 'tls:']).default('nats://127.0.0.1:4222'),
  /** JetStream stream holding every MicroTick event. */
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('MICROTICK'),
  /** Copies of the stream kept by a NATS cluster (1 for a single server, 3 for a 3-node cluster). */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Stream limits (docs/operations.md). Events older than the max age are discarded, read or
   * not: it is the longest a consumer may be down without losing events (default 7 days). When
   * the stream reaches max bytes it refuses new events (discard new), so they wait in the
   * publishers' outboxes instead of old unread ones being dropped. -1: no byte limit.
   */
  NATS_STREAM_MAX_AGE_HOURS: z.coerce.number().int().min(1).max(365 * 24).default(7 * 24),
  NATS_STREAM_MAX_BYTES: z.coerce.number().int().min(-1).default(8 * 1024 ** 3),
  /**
   * Optional subject prefix, so several systems (tests, a second stack) can share one server.
   * One token at most: the NATS permissions (`order.*`, `*.order.*`) rely on the event's
   * aggregate sitting at a fixed position (docs/security.md).
   */
  NATS_SUBJECT_PREFIX: z.string().regex(/^([A-Za-z0-9_-]+)?$/, 'a single subject token (letters, digits, _ and -)').default(''),
  /** This service's NATS identity (the server refuses anonymous clients); unset = connect without credentials. */
  NATS_USER: optionalText,
  NATS_PASSWORD: optionalText,
  JWT_KEY: z.string().min(1),
  /** Real failures (not "not yet" waits) before a consumer parks an event as a dead letter (docs/operations.md). */
  LISTENER_MAX_DELIVER: z.coerce.number().int().min(1).max(1_000).default(10),
  /** How long waiting for a predecessor is normal; past it the wait is logged (it is never parked). */
  LISTENER_WAIT_WARN_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * How long a consumer remembers an event id (processed_events). Must be at least the stream's
   * max age, so an event can never be redelivered after its de-duplication record is gone.
   */
  PROCESSED_EVENTS_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
};

/** NATS credentials come as a pair: a user without its password is a configuration mistake. */
export const natsCredentialsOf = (c: { NATS_USER?: string; NATS_PASSWORD?: string }) =>
  c.NATS_USER && c.NATS_PASSWORD ? { user: c.NATS_USER, password: c.NATS_PASSWORD } : undefined;
const natsCredentialsArePaired = (c: { NATS_USER?: string; NATS_PASSWORD?: string }) => !c.NATS_USER === !c.NATS_PASSWORD;

/**
 * Where the event bus is and the stream's settings, from the shared NATS settings: what every
 * service and the stream's provisioning Job pass to connectEventBus, so all of them find the
 * stream as they expect (its limits included).
 */
export const eventBusSettings = (c: Pick<ServiceConfig, 'NATS_URL' | 'NATS_STREAM' | 'NATS_STREAM_REPLICAS' | 'NATS_SUBJECT_PREFIX' | 'NATS_STREAM_MAX_AGE_HOURS' | 'NATS_STREAM_MAX_BYTES' | 'NATS_USER' | 'NATS_PASSWORD'>) => ({
  url: c.NATS_URL,
  stream: c.NATS_STREAM,
  replicas: c.NATS_STREAM_REPLICAS,
  subjectPrefix: c.NATS_SUBJECT_PREFIX,
  maxAgeMs: c.NATS_STREAM_MAX_AGE_HOURS * 3600_000,
  maxBytes: c.NATS_STREAM_MAX_BYTES,
  credentials: natsCredentialsOf(c),
});

/** An event can be redelivered while it is in the stream; its processed record must outlive that. */
const retentionCoversStream = (c: { PROCESSED_EVENTS_RETENTION_DAYS?: number; NATS_STREAM_MAX_AGE_HOURS?: number }) =>
  c.PROCESSED_EVENTS_RETENTION_DAYS === undefined || c.NATS_STREAM_MAX_AGE_HOURS === undefined || c.PROCESSED_EVENTS_RETENTION_DAYS * 24 >= c.NATS_STREAM_MAX_AGE_HOURS;

const jwtKeyIsStrong = (c: { NODE_ENV?: string; JWT_KEY: string }) => c.NODE_ENV === 'test' || c.JWT_KEY.length >= 32;

/**
 * A service's config schema: the shared settings plus its own (which may override defaults,
 * e.g. `PORT`). Outside tests the JWT key must be long enough to be a real secret.
 */
export const defineServiceConfig = <Extra extends z.ZodRawShape>(extra: Extra) =>
  z
    .object({ ...serviceConfigShape, ...extra })
    .refine((c) => natsCredentialsArePaired(c as { NATS_USER?: string; NATS_PASSWORD?: string }), {
      path: ['NATS_PASSWORD'],
      message: 'NATS_USER and NATS_PASSWORD are set together',
    })
    .refine((c) => jwtKeyIsStrong(c as { NODE_ENV: string; JWT_KEY: string }), {
      path: ['JWT_KEY'],
      message: 'must be at least 32 characters',
      // Report a weak key even when other variables are wrong too, so one run names them all.
      when: ({ value }) => typeof (value as { JWT_KEY?: unknown }).JWT_KEY === 'string',
    })
    .refine((c) => retentionCoversStream(c as Parameters<typeof retentionCoversStream>[0]), {
      path: ['PROCESSED_EVENTS_RETENTION_DAYS'],
      message: 'must cover NATS_STREAM_MAX_AGE_HOURS (an event still in the stream could be applied twice)',
    });

export const serviceConfigSchema = defineServiceConfig({});
export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

/**
 * Parses the environment with a zod schema. A missing or malformed variable stops the service
 * with a message naming every offending variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const missing = issue.code === 'invalid_type' && env[String(issue.path[0])] === undefined;
    return `  ${name}: ${missing ? 'is required' : issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
