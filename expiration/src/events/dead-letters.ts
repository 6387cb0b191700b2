import { randomUUID } from 'node:crypto';
import { eventCatalogue, parseEnvelope, type EventBus, type EventType, type NewDeadLetter } from '@microtick/common';
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

/**
 * Puts a dead letter back on the bus. It gets a fresh `Nats-Msg-Id` (JetStream would drop the
 * original as a duplicate) but keeps its event id, so consumers that already applied it skip it.
 * The replay is claimed before publishing, so two operators cannot both replay it; a failed
 * publish releases the claim.
 */
export async function replayDeadLetter(redis: Redis, keyPrefix: string, bus: Pick<EventBus, 'js' | 'subjectFor'>, id: string): Promise<void> {
  const keys = redisKeys(keyPrefix);
  const json = await redis.hget(keys.deadLetters, id);
  if (!json) throw new Error(`no dead letter ${id}`);
  const letter = storedDeadLetter.parse(JSON.parse(json));
  let envelope;
  try {
    envelope = parseEnvelope(letter.eventType, JSON.parse(letter.payload));
  } catch (err) {
    throw new Error(`dead letter ${id} is not a valid ${letter.eventType} event and cannot be replayed: ${String(err)}`);
  }
  const claimed = await redis.hsetnx(keys.replayedDeadLetters, id, new Date().toISOString());
  if (!claimed) throw new Error(`dead letter ${id} was already replayed`);
  try {
    await bus.js.publish(bus.subjectFor(letter.eventType), JSON.stringify(envelope), { msgID: randomUUID() });
  } catch (err) {
    await redis.hdel(keys.replayedDeadLetters, id);
    throw err;
  }
}
