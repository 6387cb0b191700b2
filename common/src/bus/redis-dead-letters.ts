import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { eventCatalogue, parseEnvelope, type EventType } from '../events/catalogue';
import type { DeadLetter, DeadLetterStore } from './dead-letters';
import type { NewDeadLetter } from './listener';

/** Every key a Redis-backed service's listener bookkeeping writes, under its key prefix. */
export const redisListenerKeys = (keyPrefix: string, service: string) => ({
  processedEvent: (consumer: string, eventId: string) => `${keyPrefix}:${service}:processed:${consumer}:${eventId}`,
  deadLetters: `${keyPrefix}:${service}:dead-letters`,
  replayedDeadLetters: `${keyPrefix}:${service}:dead-letters:replayed`,
  replayRequestedDeadLetters: `${keyPrefix}:${service}:dead-letters:replay-requested`,
});

const storedDeadLetter = z.object({
  id: z.uuid(),
  consumer: z.string(),
  subject: z.string(),
  eventType: z.custom<EventType>((value) => typeof value === 'string' && Object.hasOwn(eventCatalogue, value)),
  eventId: z.string().nullable(),
  /** The message body exactly as received (it may not even be JSON). */
  payload: z.string(),
  error: z.string(),
  deliveries: z.number().int(),
  // Letters parked before the sequence was kept have none.
  streamSequence: z.number().int().nullable().default(null),
  failedAt: z.coerce.date(),
});
export type StoredRedisDeadLetter = z.infer<typeof storedDeadLetter>;

/**
 * Dead letters of a service whose only store is Redis (expiration), the counterpart of the
 * `dead_letters` table: a hash of letters (id → JSON), a hash of replays asked for (id → when),
 * and a hash of replays done (id → when), so claiming a replay is one atomic HSETNX.
 */
export class RedisDeadLetters implements DeadLetterStore {
  readonly keys;

  constructor(private readonly redis: Redis, options: { keyPrefix: string; service: string }) {
    this.keys = redisListenerKeys(options.keyPrefix, options.service);
  }

  async record(letter: NewDeadLetter): Promise<string> {
    const id = randomUUID();
    const stored: z.input<typeof storedDeadLetter> = {
      ...letter,
      id,
      eventId: letter.eventId ?? null,
      streamSequence: letter.streamSequence ?? null,
      failedAt: new Date().toISOString(),
    };
    await this.redis.hset(this.keys.deadLetters, id, JSON.stringify(stored));
    return id;
  }

  /** A stored dead letter by id, or undefined. */
  async read(id: string): Promise<StoredRedisDeadLetter | undefined> {
    const json = await this.redis.hget(this.keys.deadLetters, id);
    return json ? storedDeadLetter.parse(JSON.parse(json)) : undefined;
  }

  async list(options: { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> {
    const [letters, requested, replayed] = await Promise.all([
      this.redis.hgetall(this.keys.deadLetters),
      this.redis.hgetall(this.keys.replayRequestedDeadLetters),
      this.redis.hgetall(this.keys.replayedDeadLetters),
    ]);
    const when = (value: string | undefined) => (value ? new Date(value) : null);
    return Object.values(letters)
      .map((json) => storedDeadLetter.parse(JSON.parse(json)))
      .map((letter) => ({ ...letter, replayRequestedAt: when(requested[letter.id]), replayedAt: when(replayed[letter.id]) }))
      .filter((letter) => options.includeReplayed || !letter.replayedAt)
      .sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime());
  }

  /**
   * Asks the running service to replay a letter: its ListenerRunner re-runs the stored event
   * through the listener in its own process (RedisListenerStore.replayRequested) within seconds.
   * A letter that is not a valid event, or was replayed already, is refused.
   */
  async requestReplay(id: string): Promise<void> {
    const letter = await this.read(id);
    if (!letter) throw new Error(`no dead letter ${id}`);
    try {
      parseEnvelope(letter.eventType, JSON.parse(letter.payload));
    } catch (err) {
      throw new Error(`dead letter ${id} is not a valid ${letter.eventType} event and cannot be replayed: ${String(err)}`);
    }
    if (await this.redis.hexists(this.keys.replayedDeadLetters, id)) throw new Error(`dead letter ${id} was already replayed`);
    await this.redis.hset(this.keys.replayRequestedDeadLetters, id, new Date().toISOString());
  }
}
