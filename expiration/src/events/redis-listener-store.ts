import type { ListenerStore, Logger, NewDeadLetter } from '@microtick/common';
import type { Redis } from 'ioredis';
import { REMEMBER_FOR_SECONDS, redisKeys } from '../redis';
import { recordDeadLetter } from './dead-letters';

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
}
