import { randomUUID } from 'node:crypto';
import { eventCatalogue, parseEnvelope, type EventType, type NewDeadLetter } from '@microtick/common';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redisKeys } from '../redis';

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
  failedAt: z.coerce.date(),
});

/** A message a consumer gave up on, as an operator sees it (the same fields as common's `dead_letters`). */
export type DeadLetter = z.infer<typeof storedDeadLetter> & { replayedAt: Date | null };

/**
 * Dead letters live in a Redis hash (id → JSON); a second hash records which were replayed and
 * when, so claiming a replay is one atomic HSETNX.
 */
export async function recordDeadLetter(redis: Redis, keyPrefix: string, letter: NewDeadLetter): Promise<string> {
  const id = randomUUID();
  const stored: z.input<typeof storedDeadLetter> = { ...letter, id, eventId: letter.eventId ?? null, failedAt: new Date().toISOString() };
  await redis.hset(redisKeys(keyPrefix).deadLetters, id, JSON.stringify(stored));
  return id;
}

/** Dead letters an operator has not replayed yet (or all of them), newest first. */
export async function listDeadLetters(redis: Redis, keyPrefix: string, options: { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> {
  const keys = redisKeys(keyPrefix);
  const [letters, replays] = await Promise.all([redis.hgetall(keys.deadLetters), redis.hgetall(keys.replayedDeadLetters)]);
  return Object.values(letters)
    .map((json) => storedDeadLetter.parse(JSON.parse(json)))
    .map((letter) => ({ ...letter, replayedAt: replays[letter.id] ? new Date(replays[letter.id]!) : null }))
    .filter((letter) => options.includeReplayed || !letter.replayedAt)
    .sort((a, b) => b.failedAt.getTime() - a.failedAt.getTime());
}

/** A stored dead letter by id, or undefined. */
export async function readDeadLetter(redis: Redis, keyPrefix: string, id: string): Promise<z.infer<typeof storedDeadLetter> | undefined> {
  const json = await redis.hget(redisKeys(keyPrefix).deadLetters, id);
  return json ? storedDeadLetter.parse(JSON.parse(json)) : undefined;
}

/**
 * Asks the running expiration service to replay a dead letter: its ListenerRunner re-runs the
 * stored event through the listener in its own process (RedisListenerStore.replayRequested) within
 * seconds. Nothing is published, so expiration needs no right to publish the subjects of the
 * events it consumes. A letter that is not a valid event, or was replayed already, is refused.
 */
export async function replayDeadLetter(redis: Redis, keyPrefix: string, id: string): Promise<void> {
  const keys = redisKeys(keyPrefix);
  const letter = await readDeadLetter(redis, keyPrefix, id);
  if (!letter) throw new Error(`no dead letter ${id}`);
  try {
    parseEnvelope(letter.eventType, JSON.parse(letter.payload));
  } catch (err) {
    throw new Error(`dead letter ${id} is not a valid ${letter.eventType} event and cannot be replayed: ${String(err)}`);
  }
  if (await redis.hexists(keys.replayedDeadLetters, id)) throw new Error(`dead letter ${id} was already replayed`);
  await redis.hset(keys.replayRequestedDeadLetters, id, new Date().toISOString());
}
