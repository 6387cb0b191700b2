import type pg from 'pg';
import { NotificationListener, type Logger } from '@microtick/common';

/** The channel the `waitlist_entries` trigger NOTIFYs with `<ticket id>:<user id>` (migration 0004_waitlist). */
export const WAITLIST_CHANNEL = 'microtick_waitlist';

/**
 * The pool behind a drizzle database: drizzle keeps it as `$client`, which its node-postgres
 * database type leaves out. LISTEN needs a connection of its own for as long as streams are open.
 */
export function poolOf(db: object): pg.Pool {
  const client: unknown = (db as { $client?: unknown }).$client;
  if (!client || typeof (client as pg.Pool).connect !== 'function') throw new Error('the database has no connection pool to LISTEN on');
  return client as pg.Pool;
}

/** One open stream: whose entries it shows, and the tickets those entries are in line for. */
export interface WaitlistWatcher {
  userId: string;
  tickets: ReadonlySet<string>;
  /** Something the stream shows may have changed: read again. */
  changed(): void;
}

/**
 * Fans the commits of orders (any replica) out to this process's open waiting-list streams: one
 * LISTEN connection (common's NotificationListener) while at least one stream is open. A change to
 * an entry concerns its user and everyone in line for the same ticket (their places moved). When
 * LISTEN works again after the connection was lost, every stream reads afresh, since a NOTIFY may
 * have been missed meanwhile.
 */
export class WaitlistChanges {
  private readonly watchers = new Set<WaitlistWatcher>();
  private listener?: NotificationListener;
  private listening?: Promise<boolean>;

  constructor(private readonly pool: pg.Pool, private readonly logger: Logger) {}

  /**
   * Starts delivering changes to `watcher`; resolves once listening (or, if LISTEN fails now,
   * once it is retrying: the watcher is then told to read again when it works); returns how to stop.
   */
  async watch(watcher: WaitlistWatcher): Promise<() => void> {
    this.watchers.add(watcher);
    if (!this.listener) {
      this.listener = new NotificationListener({
        pool: this.pool,
        channel: WAITLIST_CHANNEL,
        logger: this.logger,
        onNotify: (payload) => this.deliver(payload),
        onRelisten: () => this.watchers.forEach((w) => w.changed()),
        retryMs: 1_000,
      });
      this.listening = this.listener.start();
    }
    await this.listening;
    return () => this.unwatch(watcher);
  }

  private unwatch(watcher: WaitlistWatcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size > 0 || !this.listener) return;
    void this.listener.stop();
    this.listener = undefined;
    this.listening = undefined;
  }

  private deliver(payload: string): void {
    const [ticketId, userId] = payload.split(':');
    for (const watcher of this.watchers) {
      if (watcher.userId === userId || (ticketId && watcher.tickets.has(ticketId))) watcher.changed();
    }
  }
}
