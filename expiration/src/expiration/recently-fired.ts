/**
 * The orders whose timer this process has fired lately (its `expiration:complete` stored by
 * JetStream). Their `order:cancelled` follows within moments, and there is nothing left to
 * remove then: the job has completed (BullMQ keeps it, bounded, see expiration-queue.ts), and the
 * settled marker alone keeps a late `order:created` from arming it again. Skipping that removal
 * saves a BullMQ script per expiry (10 % of this process's CPU in a burst of expiries). An order
 * not remembered here (fired by another replica, before a restart, or long ago) is removed as
 * before. Bounded in time and size; forgetting only costs the removal.
 */
export class RecentlyFired {
  /** Order id → when its timer fired; a Map keeps insertion order, so the oldest come first. */
  private readonly firedAt = new Map<string, number>();

  constructor(
    private readonly rememberMs = 10 * 60_000,
    private readonly maxOrders = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  note(orderId: string): void {
    const now = this.now();
    this.firedAt.delete(orderId);
    this.firedAt.set(orderId, now);
    for (const [id, at] of this.firedAt) {
      if (now - at < this.rememberMs && this.firedAt.size <= this.maxOrders) break;
      this.firedAt.delete(id);
    }
  }

  has(orderId: string): boolean {
    const at = this.firedAt.get(orderId);
    return at !== undefined && this.now() - at < this.rememberMs;
  }
}
