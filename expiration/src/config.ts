import { optionalText, serviceConfigShape } from '@microtick/common/config';
import { z } from 'zod';

/**
 * The shared settings minus Postgres and JWT (Redis is this service's only store and it serves
 * no user routes), plus where Redis is and the prefix of every key this service writes there.
 * The stream's limits are read too: every service applies them on start, so expiration must read
 * the same ones.
 */
export const configSchema = z
  .object(serviceConfigShape)
  .pick({
    NODE_ENV: true, HOST: true, LOG_LEVEL: true, NATS_URL: true, NATS_STREAM: true, NATS_STREAM_REPLICAS: true,
    NATS_STREAM_MAX_AGE_HOURS: true, NATS_STREAM_MAX_BYTES: true, NATS_SUBJECT_PREFIX: true, NATS_USER: true, NATS_PASSWORD: true,
  })
  .extend({
    PORT: serviceConfigShape.PORT.unwrap().default(3005),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis: or rediss: URL' }).default('redis://127.0.0.1:6379'),
    /** The Redis ACL user and its password (infra/setup.sh creates `expiration`); unset = Redis without authentication. */
    REDIS_USERNAME: optionalText,
    REDIS_PASSWORD: optionalText,
    /** BullMQ's `prefix` and the namespace of our own keys, so tests and a second stack share one Redis safely. */
    REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('microtick'),
  });

export type Config = z.infer<typeof configSchema>;
