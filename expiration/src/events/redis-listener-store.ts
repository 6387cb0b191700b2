import { RetryLater, type ListenerStore, type Logger, type NewDeadLetter, type RequestedReplay } from '@microtick/common';
import type { Redis } from 'ioredis';
import { REMEMBER_FOR_SECONDS, redisKeys } from '../redis';
import { readDeadLetter, recordDeadLetter } from './dead-letters';

export interface RedisListenerStoreOptions<Deps> {
  redis: Redis;
  keyPrefix: string;
  /** What handlers need besides the logger; the store hands it to them as their context. */
  deps: Deps;
}

/**
 * Idempotency and dead letters for a service whose only store is Redis.
 *
 * Unlike Postgres, Redis cannot commit "processed" together with the handler's effect, so the
 * event id is marked only after the handler succeeded. That is safe because expiration's
 * handlers are idempotent by construction (the job id is the order id; settling twice is
 * harmless): a crash between the effect and the mark just runs the handler again. Marking first
 * would be the unsafe order, since a failed handler would then be skipped as a duplicate.
 */
export class RedisListenerStore<Deps extends object> implements ListenerStore<Deps & { logger: Logger }> {
  private readonly keys;

  constructor(private readonly options: RedisListenerStoreOptions<Deps>) {
    this.keys = redisKeys(options.keyPrefix);
  }

  async runOnce(consumer: string, eventId: string, logger: Logger, handle: (ctx: Deps & { logger: Logger }) => Promise<void>): Promise<'processed' | 'duplicate'> {
    const key = this.keys.processedEvent(consumer, eventId);
    if (await this.options.redis.exists(key)) return 'duplicate';
    await handle({ ...this.options.deps, logger });
    await this.options.redis.set(key, '1', 'EX', REMEMBER_FOR_SECONDS, 'NX');
    return 'processed';
  }

  async deadLetter(letter: NewDeadLetter): Promise<void> {
    await recordDeadLetter(this.options.redis, this.options.keyPrefix, letter);
  }

  /**
   * Replays one dead letter an operator asked for (see `replayDeadLetter`). Claimed first (one
   * atomic HSETNX on the replayed hash), so two replicas never both run it; a failure releases
   * the claim, and a real failure (not "not yet") also withdraws the request, so it does not loop.
   */
  async replayRequested(consumers: readonly string[], logger: Logger, handle: (letter: RequestedReplay, ctx: Deps & { logger: Logger }) => Promise<void>): Promise<boolean> {
    const { redis, keyPrefix } = this.options;
    for (const id of await redis.hkeys(this.keys.replayRequestedDeadLetters)) {
      const letter = await readDeadLetter(redis, keyPrefix, id);
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
          await handle({ id, consumer: letter.consumer, payload: letter.payload, streamSequence: null }, { ...this.options.deps, logger });
          if (processedKey) await redis.set(processedKey, '1', 'EX', REMEMBER_FOR_SECONDS, 'NX');
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
