import type { WaitingSummary } from './listener';

interface Attempt {
  consumer: string;
  /** When this process first received the event (any delivery). */
  firstSeenAt: number;
  waitingSince?: Date;
  waits: number;
  warned: boolean;
  touchedAt: number;
}

/** An entry untouched this long belongs to an event another replica finished (or that is gone). */
const FORGET_AFTER_MS = 10 * 60_000;

/**
 * What one runner process knows about the events it is retrying: it spares the store a write per
 * "not yet" retry (only the first is recorded), warns once per long wait, and stands in for a
 * store that cannot keep attempts itself (then restarts and other replicas start counting anew).
 */
export class AttemptMemory {
  private readonly entries = new Map<string, Attempt>();

  /**
   * When the event was first received: when this consumer began waiting for it if that is
   * known (kept by the store across restarts and replicas), else when this process first got it.
   */
  firstSeen(consumer: string, eventId: string): number {
    const entry = this.touch(consumer, eventId);
    return Math.min(entry.firstSeenAt, entry.waitingSince?.getTime() ?? Infinity);
  }

  waitingSince(consumer: string, eventId: string): Date | undefined {
    return this.touch(consumer, eventId).waitingSince;
  }

  /** Counts one "not yet" retry; `since` is when the wait began (kept from the first call). */
  noteWait(consumer: string, eventId: string, since: Date): void {
    const entry = this.touch(consumer, eventId);
    entry.waitingSince ??= since;
    entry.waits += 1;
  }

  waits(consumer: string, eventId: string): number {
    return this.entries.get(key(consumer, eventId))?.waits ?? 0;
  }

  /** True the first time it is asked for an event, so a long wait is logged once, not per retry. */
  shouldWarn(consumer: string, eventId: string): boolean {
    const entry = this.touch(consumer, eventId);
    if (entry.warned) return false;
    entry.warned = true;
    return true;
  }

  forget(consumer: string, eventId: string): void {
    this.entries.delete(key(consumer, eventId));
  }

  waitingSummary(): WaitingSummary[] {
    this.prune();
    const byConsumer = new Map<string, WaitingSummary>();
    for (const entry of this.entries.values()) {
      if (!entry.waitingSince) continue;
      const summary = byConsumer.get(entry.consumer);
      if (!summary) byConsumer.set(entry.consumer, { consumer: entry.consumer, count: 1, oldestSince: entry.waitingSince });
      else {
        summary.count += 1;
        if (entry.waitingSince < summary.oldestSince) summary.oldestSince = entry.waitingSince;
      }
    }
    return [...byConsumer.values()];
  }

  private touch(consumer: string, eventId: string): Attempt {
    const k = key(consumer, eventId);
    let entry = this.entries.get(k);
    if (!entry) {
      if (this.entries.size % 1_000 === 999) this.prune();
      entry = { consumer, firstSeenAt: Date.now(), waits: 0, warned: false, touchedAt: Date.now() };
      this.entries.set(k, entry);
    }
    entry.touchedAt = Date.now();
    return entry;
  }

  private prune(): void {
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [k, entry] of this.entries) if (entry.touchedAt < cutoff) this.entries.delete(k);
  }
}

const key = (consumer: string, eventId: string) => `${consumer}\u0000${eventId}`;
