import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * Where a stack's events can be in flight: rows its outboxes have not published yet, and the
 * stream, whose consumers may not have delivered or had acknowledged every event.
 */
export interface EventFlow {
  /** Outbox rows not yet published, every service together. */
  unpublished(): Promise<number>;
  stream(): Promise<StreamPosition>;
}

export interface StreamPosition {
  /** Sequence number of the stream's last event: it grows with every publish. */
  lastSeq: number;
  /** Events the durable consumers have not delivered yet, or delivered and not had acknowledged. */
  behind: number;
}

/** The position of a JetStream stream and of every durable consumer on it. */
export async function streamPosition(jsm: JetStreamManager, stream: string): Promise<StreamPosition> {
  const { state } = await jsm.streams.info(stream);
  let behind = 0;
  for await (const consumer of jsm.consumers.list(stream)) behind += consumer.num_pending + consumer.num_ack_pending;
  return { lastSeq: state.last_seq, behind };
}

/**
 * Waits until every event has run its course (nothing left to publish, no consumer behind) and
 * returns how long that took. A listener commits the events it stages before it acknowledges
 * the one it handled, and a relay may publish between two looks: so one look counts only when
 * the outboxes are empty on both sides of an idle stream AND the stream did not grow meanwhile
 * (without that last part, a relay publishing right after the stream was read passed for settled).
 */
export async function settled(flow: EventFlow, timeoutMs: number, intervalMs = 50): Promise<number> {
  const startedAt = performance.now();
  let last = '';
  for (;;) {
    const before = await flow.stream();
    const unpublished = await flow.unpublished();
    const after = await flow.stream();
    const unpublishedAfter = await flow.unpublished();
    const end = await flow.stream();
    if (unpublished === 0 && after.behind === 0 && unpublishedAfter === 0 && before.lastSeq === end.lastSeq) return performance.now() - startedAt;
    last = `${unpublished + unpublishedAfter} outbox rows, consumers ${after.behind} events behind, stream at ${before.lastSeq}→${end.lastSeq}`;
    if (performance.now() - startedAt > timeoutMs) throw new Error(`events still in flight after ${timeoutMs / 1000} s (${last})`);
    await sleep(intervalMs);
  }
}
