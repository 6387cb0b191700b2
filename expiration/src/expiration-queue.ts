import { currentTraceFields } from '@microtick/common';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const EXPIRATION_QUEUE = 'order-expiration';
const JOB_NAME = 'expire-order';

/**
 * What a delayed job carries: enough to publish `expiration:complete` and measure lateness, and
 * (tracing on) the trace context of the `order:created` it was armed for, so the publish minutes
 * later is part of the purchase's trace. A malformed context is dropped, not a failed job.
 */
export const expirationJob = z.object({
  orderId: z.uuid(),
  expiresAt: z.iso.datetime({ offset: true }),
  traceparent: z.string().max(100).optional().catch(undefined),
  tracestate: z.string().max(512).optional().catch(undefined),
});
export type ExpirationJob = z.infer<typeof expirationJob>;
export type ExpirationQueue = Queue<ExpirationJob, void, typeof JOB_NAME>;

/** Not a built-in BullMQ backoff type, so BullMQ asks the worker's `backoffStrategy`: `publishRetryDelayMs`. */
const PUBLISH_RETRY_BACKOFF = 'publish-retry';

/**
 * Failed publishes (NATS down, stream missing) retry after 1 s, 2 s, 4 s … capped at a minute:
 * with 10 000 attempts a job keeps trying for about a week, so an outage delays expirations
 * but never loses one.
 */
export const publishRetryDelayMs = (attemptsMade: number): number => Math.min(1_000 * 2 ** Math.max(0, attemptsMade - 1), 60_000);
const PUBLISH_ATTEMPTS = 10_000;

export const createExpirationQueue = (redis: Redis, prefix: string): ExpirationQueue =>
  new Queue<ExpirationJob, void, typeof JOB_NAME>(EXPIRATION_QUEUE, { connection: redis, prefix });

/**
 * Adds the order's timer. The job id is the order id, so BullMQ ignores a second add for the
 * same order while the first job exists. Completed jobs are kept for a day, so that even a
 * redelivered `order:created` whose processed mark was lost cannot re-arm a timer that fired.
 */
export async function addExpirationJob(queue: ExpirationQueue, job: ExpirationJob): Promise<void> {
  const options: JobsOptions = {
    jobId: job.orderId,
    delay: Math.max(0, Date.parse(job.expiresAt) - Date.now()),
    attempts: PUBLISH_ATTEMPTS,
    backoff: { type: PUBLISH_RETRY_BACKOFF },
    removeOnComplete: { age: 24 * 3600 },
    // A job that used up every attempt stays in the failed set for an operator to retry.
    removeOnFail: false,
  };
  await queue.add(JOB_NAME, { ...job, ...currentTraceFields() }, options);
}
