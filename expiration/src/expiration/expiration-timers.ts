import type { Redis } from 'ioredis';
import { addExpirationJobs, addOfferExpirationJob, offerJobId, type ExpirationJob, type ExpirationQueue, type OfferExpirationJob } from './expiration-queue';
import type { RecentlyFired } from './recently-fired';
import { REMEMBER_FOR_SECONDS, redisKeys } from './redis';

/** What the listeners do to an order's timer; both calls are idempotent. */
export interface ExpirationTimers {
  schedule(job: ExpirationJob): Promise<void>;
  /** `schedule` for several orders at once (a batch of order:created). */
  scheduleAll(jobs: readonly ExpirationJob[]): Promise<void>;
  /** The order was completed or cancelled: its timer must never fire, even if it is scheduled later. */
  settle(orderId: string): Promise<void>;
  /** `settle` for several orders at once. */
  settleAll(orderIds: readonly string[]): Promise<void>;
  /** A waiting-list offer's window (docs/waitlist.md); same rules as an order's. */
  scheduleOffer(job: OfferExpirationJob): Promise<void>;
  /** The offer ended (used, left, lapsed): its timer must never fire. */
  settleOffer(offerId: string): Promise<void>;
}

/**
 * Timers as BullMQ delayed jobs. Each event type has its own consumer, so `order:completed` or
 * `order:cancelled` can be handled before the order's `order:created` (e.g. after a restart
 * with a backlog). Settling therefore leaves a marker, and scheduling checks it after adding the
 * job: whichever of the two runs second removes the job.
 */
export class RedisExpirationTimers implements ExpirationTimers {
  private readonly keys;

  constructor(
    private readonly queue: ExpirationQueue,
    private readonly redis: Redis,
    keyPrefix: string,
    /** Timers this process fired: their jobs have completed, and settling them removes nothing. */
    private readonly fired?: RecentlyFired,
  ) {
    this.keys = redisKeys(keyPrefix);
  }

  schedule(job: ExpirationJob): Promise<void> {
    return this.scheduleAll([job]);
  }

  /** One write adds every timer, one MGET then looks for their settled markers. */
  async scheduleAll(jobs: readonly ExpirationJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await addExpirationJobs(this.queue, jobs);
    const settled = await this.redis.mget(jobs.map((job) => this.keys.settledOrder(job.orderId)));
    await Promise.all(jobs.filter((_, i) => settled[i] !== null).map((job) => this.queue.remove(job.orderId)));
  }

  /** The markers in one write, then the removals (sent together). */
  async settleAll(orderIds: readonly string[]): Promise<void> {
    if (orderIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const orderId of orderIds) pipeline.set(this.keys.settledOrder(orderId), '1', 'EX', REMEMBER_FOR_SECONDS);
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    // A removal returns 0 for a job already running: its expiration:complete is then harmless
    // (orders ignores the expiry of a paid or cancelled order), and there is no way to stop it anyway.
    // A timer this process fired has nothing to remove (most cancellations in a burst of expiries).
    await Promise.all(orderIds.filter((orderId) => !this.fired?.has(orderId)).map((orderId) => this.queue.remove(orderId)));
  }

  settle(orderId: string): Promise<void> {
    return this.settleAll([orderId]);
  }

  async scheduleOffer(job: OfferExpirationJob): Promise<void> {
    await addOfferExpirationJob(this.queue, job);
    if (await this.redis.exists(this.keys.settledOffer(job.offerId))) await this.queue.remove(offerJobId(job.offerId));
  }

  async settleOffer(offerId: string): Promise<void> {
    await this.redis.set(this.keys.settledOffer(offerId), '1', 'EX', REMEMBER_FOR_SECONDS);
    // A job already running publishes an expiry orders ignores: the offer is no longer running.
    await this.queue.remove(offerJobId(offerId));
  }
}
