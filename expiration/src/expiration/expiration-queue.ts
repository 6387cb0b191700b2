import { currentTraceFields } from '@microtick/common/tracing';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * One queue for every kind of deadline this service keeps; the job's name says which kind it is
 * (and so which event its firing publishes). The queue's name predates the second kind.
 */
export const EXPIRATION_QUEUE = 'order-expiration';
export const ORDER_JOB = 'expire-order';
export const OFFER_JOB = 'expire-waitlist-offer';

/** The trace context of the event a timer was armed for (tracing on); a malformed one is dropped, not a failed job. */
const traceFields = {
  traceparent: z.string().max(100).optional().catch(undefined),
  tracestate: z.string().max(512).optional().catch(undefined),
};

/**
 * An order's payment window: enough to publish `expiration:complete` and measure lateness, and
 * the trace context of the `order:created` it was armed for, so the publish minutes later is
 * part of the purchase's trace.
 */
export const expirationJob = z.object({ orderId: z.uuid(), expiresAt: z.iso.datetime({ offset: true }), ...traceFields });
export type ExpirationJob = z.infer<typeof expirationJob>;

/** A waiting-list offer's window (docs/waitlist.md): enough to publish `expiration:offer-expired`. */
export const offerExpirationJob = z.object({ offerId: z.uuid(), ticketId: z.uuid(), expiresAt: z.iso.datetime({ offset: true }), ...traceFields });
export type OfferExpirationJob = z.infer<typeof offerExpirationJob>;

export type DeadlineJob = ExpirationJob | OfferExpirationJob;
export type DeadlineJobName = typeof ORDER_JOB | typeof OFFER_JOB;
export type ExpirationQueue = Queue<DeadlineJob, void, DeadlineJobName>;

/** Job ids: an order's is its id (as before offers existed); an offer's is prefixed, so the two never collide. */
export const offerJobId = (offerId: string): string => `waitlist-offer-${offerId}`;

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
  new Queue<DeadlineJob, void, DeadlineJobName>(EXPIRATION_QUEUE, { connection: redis, prefix });

/**
 * Adds the order's timer. The job id is the order id, so BullMQ ignores a second add for the
 * same order while the first job exists. Completed jobs are kept for a day (the latest
 * COMPLETED_JOBS_KEPT of them), so that even a redelivered `order:created` whose processed mark
 * was lost cannot re-arm a timer that fired; once its order is settled, the settled marker does
 * that too (and a re-armed timer would only publish the same event id again, which JetStream and
 * orders drop as a duplicate).
 */
export async function addExpirationJob(queue: ExpirationQueue, job: ExpirationJob): Promise<void> {
  await addDeadlineJob(queue, ORDER_JOB, job.orderId, job);
}

/**
 * Adds several orders' timers in one pipelined write (`addBulk`), each exactly as
 * `addExpirationJob` would. Besides the round trips this saves a wake-up of the worker per
 * timer: BullMQ signals every delayed add on the queue's marker, and the worker blocked on it
 * wakes and blocks again; the adds of one write wake it once or twice in all.
 */
export async function addExpirationJobs(queue: ExpirationQueue, jobs: readonly ExpirationJob[]): Promise<void> {
  const traceFields = currentTraceFields();
  await queue.addBulk(jobs.map((job) => ({ name: ORDER_JOB, data: { ...job, ...traceFields }, opts: deadlineJobOptions(job.orderId, job.expiresAt) })));
}

/** Adds an offer's timer; the same rules as an order's (one job per offer, kept a day after firing). */
export async function addOfferExpirationJob(queue: ExpirationQueue, job: OfferExpirationJob): Promise<void> {
  await addDeadlineJob(queue, OFFER_JOB, offerJobId(job.offerId), job);
}

async function addDeadlineJob(queue: ExpirationQueue, name: DeadlineJobName, jobId: string, job: DeadlineJob): Promise<void> {
  await queue.add(name, { ...job, ...currentTraceFields() }, deadlineJobOptions(jobId, job.expiresAt));
}

/**
 * A bound on the completed jobs kept (about 1 KB each in Redis): a fired order's job is no longer
 * removed when its order:cancelled arrives (recently-fired.ts), so at a high expiry rate the day's
 * completed jobs would otherwise all stay.
 */
export const COMPLETED_JOBS_KEPT = 10_000;

const deadlineJobOptions = (jobId: string, expiresAt: string): JobsOptions => ({
  jobId,
  delay: Math.max(0, Date.parse(expiresAt) - Date.now()),
  attempts: PUBLISH_ATTEMPTS,
  backoff: { type: PUBLISH_RETRY_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: COMPLETED_JOBS_KEPT },
  // A job that used up every attempt stays in the failed set for an operator to retry.
  removeOnFail: false,
});
