import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import { RetryLater, type BatchItem, type BatchOutcome, type ListenerStore, type NewDeadLetter, type RequestedReplay } from './listener';
import { RedisDeadLetters, redisListenerKeys } from './redis-dead-letters';

/** How long a processed event id is remembered: a week, as long as the stream keeps an event (its max age). */
export const PROCESSED_EVENT_TTL_SECONDS = 7 * 24 * 3600;

export interface RedisListenerStoreOptions<Deps> {
  redis: Redis;
  /** Namespace of every key (REDIS_KEY_PREFIX), so tests and a second stack share one Redis. */
  keyPrefix: string;
  /** The service whose consumers these are; part of every key. */
  service: string;
  /** What handlers need besides the logger; the store hands it to them as their context. */
  deps: Deps;
}

/**
 * Idempotency and dead letters for a service whose only store is Redis (expiration), the
 * counterpart of PostgresListenerStore.
 *
 * Unlike Postgres, Redis cannot commit "processed" together with the handler's effect, so the
 * event id is marked only after the handler succeeded. That is safe only for handlers that are
 * idempotent by construction (expiration's: the job id is the order id; settling twice is
 * harmless): a crash between the effect and the mark just runs the handler again. Marking first
 * would be the unsafe order, since a failed handler would then be skipped as a duplicate.
 */
export class RedisListenerStore<Deps extends object> implements ListenerStore<Deps & { logger: Logger }> {
  private readonly keys;
  readonly deadLetters: RedisDeadLetters;

  constructor(private readonly options: RedisListenerStoreOptions<Deps>) {
    this.keys = redisListenerKeys(options.keyPrefix, options.service);
    this.deadLetters = new RedisDeadLetters(options.redis, options);
  }

  async runOnce(consumer: string, eventId: string, logger: Logger, handle: (ctx: Deps & { logger: Logger }) => Promise<void>): Promise<'processed' | 'duplicate'> {
    const key = this.keys.processedEvent(consumer, eventId);
    if (await this.options.redis.exists(key)) return 'duplicate';
    await handle({ ...this.options.deps, logger });
    await this.options.redis.set(key, '1', 'EX', PROCESSED_EVENT_TTL_SECONDS, 'NX');
    return 'processed';
  }

  /**
   * Several events of one consumer, in stream order: which were processed before is one MGET,
   * and the new marks are one pipelined write after the handlers. A handler that throws is
   * reported failed and not marked; the others are.
   */
  async runBatch(consumer: string, items: readonly BatchItem<Deps & { logger: Logger }>[], logger: Logger): Promise<BatchOutcome[]> {
    const fresh = await this.unprocessed(consumer, items);
    const outcomes: BatchOutcome[] = items.map(() => ({ outcome: 'duplicate' }));
    const done: number[] = [];
    for (const i of fresh) {
      const item = items[i]!;
      try {
        await item.handle({ ...this.options.deps, logger: item.logger ?? logger });
        outcomes[i] = { outcome: 'processed' };
        done.push(i);
      } catch (error) {
        outcomes[i] = { outcome: 'failed', error };
      }
    }
    await this.markProcessed(consumer, done.map((i) => items[i]!.eventId));
    return outcomes;
  }

  /** One handler for the events of `items` not processed before; marked only once it succeeded. */
  async runTogether(
    consumer: string,
    items: readonly { eventId: string }[],
    logger: Logger,
    handle: (indexes: number[], ctx: Deps & { logger: Logger }) => Promise<void>,
  ): Promise<('processed' | 'duplicate')[]> {
    const fresh = await this.unprocessed(consumer, items);
    if (fresh.length > 0) await handle(fresh, { ...this.options.deps, logger });
    await this.markProcessed(consumer, fresh.map((i) => items[i]!.eventId));
    const outcomes: ('processed' | 'duplicate')[] = items.map(() => 'duplicate');
    for (const i of fresh) outcomes[i] = 'processed';
    return outcomes;
  }

  /** The indexes of the items whose event this consumer has not processed (a second copy in the batch counts as processed). */
  private async unprocessed(consumer: string, items: readonly { eventId: string }[]): Promise<number[]> {
    const marks = await this.options.redis.mget(items.map((item) => this.keys.processedEvent(consumer, item.eventId)));
    const seen = new Set<string>();
    const fresh: number[] = [];
    items.forEach((item, i) => {
      if (marks[i] === null && !seen.has(item.eventId)) fresh.push(i);
      seen.add(item.eventId);
    });
    return fresh;
  }

  private async markProcessed(consumer: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const pipeline = this.options.redis.pipeline();
    for (const eventId of eventIds) pipeline.set(this.keys.processedEvent(consumer, eventId), '1', 'EX', PROCESSED_EVENT_TTL_SECONDS, 'NX');
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  async deadLetter(letter: NewDeadLetter): Promise<void> {
    await this.deadLetters.record(letter);
  }

  /**
   * Replays one dead letter an operator asked for (`npm run dead-letters -- replay`). Claimed
   * first (one atomic HSETNX on the replayed hash), so two replicas never both run it; a failure
   * releases the claim, and a real failure (not "not yet") also withdraws the request, so it
   * does not loop.
   */
  async replayRequested(consumers: readonly string[], logger: Logger, handle: (letter: RequestedReplay, ctx: Deps & { logger: Logger }) => Promise<void>): Promise<boolean> {
    const { redis } = this.options;
    for (const id of await redis.hkeys(this.keys.replayRequestedDeadLetters)) {
      const letter = await this.deadLetters.read(id);
      if (!letter) {
        await redis.hdel(this.keys.replayRequestedDeadLetters, id);
        continue;
      }
      if (!consumers.includes(letter.consumer)) continue;
      if (!(await redis.hsetnx(this.keys.replayedDeadLetters, id, new Date().toISOString()))) {
        await redis.hdel(this.keys.replayRequestedDeadLetters, id); // another replica replayed it
        continue;
      }
      try {
        const processedKey = letter.eventId ? this.keys.processedEvent(letter.consumer, letter.eventId) : undefined;
        if (!processedKey || !(await redis.exists(processedKey))) {
          await handle({ id, consumer: letter.consumer, payload: letter.payload, streamSequence: letter.streamSequence }, { ...this.options.deps, logger });
          if (processedKey) await redis.set(processedKey, '1', 'EX', PROCESSED_EVENT_TTL_SECONDS, 'NX');
        }
        await redis.hdel(this.keys.replayRequestedDeadLetters, id);
        return true;
      } catch (err) {
        await redis.hdel(this.keys.replayedDeadLetters, id);
        if (!(err instanceof RetryLater)) await redis.hdel(this.keys.replayRequestedDeadLetters, id);
        throw err;
      }
    }
    return false;
  }
}
