import { optionalText, serviceConfigShape } from '@microtick/common';
import { z } from 'zod';

const {
  NODE_ENV,
  PORT,
  HOST,
  LOG_LEVEL,
  NATS_URL,
  NATS_STREAM,
  NATS_STREAM_REPLICAS,
  NATS_STREAM_MAX_AGE_HOURS,
  NATS_STREAM_MAX_BYTES,
  NATS_SUBJECT_PREFIX,
  NATS_USER,
  NATS_PASSWORD,
} = serviceConfigShape;

/**
 * The shared settings minus Postgres and JWT (Redis is this service's only store and it serves
 * no user routes), plus where Redis is and the prefix of every key this service writes there.
 */
export const configSchema = z.object({
  NODE_ENV,
  PORT: PORT.unwrap().default(3005),
  HOST,
  LOG_LEVEL,
  NATS_URL,
  NATS_STREAM,
  NATS_STREAM_REPLICAS,
  // Every service applies the stream's limits on start, so expiration must read the same ones.
  NATS_STREAM_MAX_AGE_HOURS,
  NATS_STREAM_MAX_BYTES,
  NATS_SUBJECT_PREFIX,
  NATS_USER,
  NATS_PASSWORD,
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis: or rediss: URL' }).default('redis://127.0.0.1:6379'),
  /** BullMQ's `prefix` and the namespace of our own keys, so tests and a second stack share one Redis safely. */
  /** The Redis ACL user and its password (infra/setup.sh creates `expiration`); unset = Redis without authentication. */
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('microtick'),
});

export type Config = z.infer<typeof configSchema>;
