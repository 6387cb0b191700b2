import type { EventBus } from '@microtick/common/bus/event-bus';
import type { Logger } from '@microtick/common/logger';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { publishExpirationComplete } from './expiration-complete.publisher';
import type { ExpirationMetrics } from './expiration-metrics';
import type { RecentlyFired } from './recently-fired';
import { EXPIRATION_QUEUE, expirationJob, OFFER_JOB, offerExpirationJob, publishRetryDelayMs, type DeadlineJob, type OfferExpirationJob } from './expiration-queue';
import { publishOfferExpired } from './offer-expired.publisher';

/** A timer that fires this much after its deadline (a backlog, an outage of NATS or Redis) is logged at info. */
export const LATE_EXPIRY_MS = 5_000;

export interface ExpirationWorkerOptions {
  redis: Redis;
  keyPrefix: string;
  bus: Pick<EventBus, 'js' | 'subjectFor'>;
  logger: Logger;
  metrics: ExpirationMetrics;
  /** Where the timers this worker fires are noted, so that settling them skips a removal. */
  fired?: RecentlyFired;
  /** Jobs published at once; many orders often expire in the same second. */
  concurrency?: number;
}

/**
 * Fires due timers: publishes `expiration:complete` and completes the job only once JetStream
 * has acknowledged it. A throw fails the attempt and BullMQ retries it with backoff.
 */
export function startExpirationWorker(options: ExpirationWorkerOptions): Worker<DeadlineJob, void> {
  const { bus, logger, metrics } = options;
  const worker = new Worker<DeadlineJob, void>(
    EXPIRATION_QUEUE,
    async (job) => {
      // The second kind of deadline: a waiting-list offer (docs/waitlist.md).
      if (job.name === OFFER_JOB) return fireOfferDeadline(bus, logger, job.data);
      const parsed = expirationJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`not an expiration job: ${parsed.error.message}`);
      const { orderId, expiresAt } = parsed.data;
      const outcome = await publishExpirationComplete(bus, parsed.data);
      options.fired?.note(orderId);
      if (outcome === 'duplicate') {
        logger.info({ orderId }, 'expiration:complete was already published before a restart');
        return;
      }
      const latenessMs = Date.now() - Date.parse(expiresAt);
      metrics.published.inc();
      metrics.lateness.observe(Math.max(0, latenessMs) / 1_000);
      // Per expiry at debug: in a burst an info line each was 6 % of this process's CPU (pino and a
      // synchronous write), and the metrics above carry the count and the lateness. A timer that
      // fired late is still worth a line of its own.
      if (latenessMs >= LATE_EXPIRY_MS) logger.info({ orderId, latenessMs }, 'order expired late');
      else logger.debug({ orderId, latenessMs }, 'order expired');
    },
    {
      connection: options.redis,
      prefix: options.keyPrefix,
      concurrency: options.concurrency ?? 50,
      // A job whose worker died is retried rather than failed: crash loops must not lose expirations.
      maxStalledCount: 100,
      settings: { backoffStrategy: publishRetryDelayMs },
    },
  );
  worker.on('failed', (job, err) => {
    logger.warn({ err, jobId: job?.id, job: job?.name, attempts: job?.attemptsMade }, 'publishing a deadline event failed; will retry');
  });
  worker.on('error', (err) => logger.error({ err }, 'expiration worker'));
  return worker;
}

/** An offer's window passed: tell orders (`expiration:offer-expired`), which decides what follows. */
async function fireOfferDeadline(bus: ExpirationWorkerOptions['bus'], logger: Logger, data: unknown): Promise<void> {
  const parsed = offerExpirationJob.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`not an offer expiration job: ${parsed.error.message}`);
  const job: OfferExpirationJob = parsed.data;
  const outcome = await publishOfferExpired(bus, job);
  logger.info({ offerId: job.offerId, ticketId: job.ticketId, latenessMs: Date.now() - Date.parse(job.expiresAt), outcome }, 'waiting-list offer expired');
}
