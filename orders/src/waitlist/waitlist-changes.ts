import type pg from 'pg';
import type { Logger } from '@microtick/common';

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
 * LISTEN connection while at least one stream is open. A change to an entry concerns its user
 * and everyone in line for the same ticket (their places moved). If the connection drops, it is
 * opened again and every stream reads afresh, since a NOTIFY may have been missed meanwhile.
 */
export class WaitlistChanges {
  private readonly watchers = new Set<WaitlistWatcher>();
  private connection?: Promise<pg.PoolClient>;

  constructor(private readonly pool: pg.Pool, private readonly logger: Logger) {}

  /** Starts delivering changes to `watcher` (resolves once listening); returns how to stop. */
  async watch(watcher: WaitlistWatcher): Promise<() => void> {
    this.watchers.add(watcher);
    try {
      await this.listening();
    } catch (err) {
      this.unwatch(watcher);
      throw err;
    }
    return () => this.unwatch(watcher);
  }

  private unwatch(watcher: WaitlistWatcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size === 0) void this.close();
  }

  private listening(): Promise<pg.PoolClient> {
    this.connection ??= this.open().catch((err: unknown) => {
      this.connection = undefined;
      throw err;
    });
    return this.connection;
  }

  private async open(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('notification', (message) => this.deliver(message.payload ?? ''));
    client.on('error', (err) => {
      this.logger.warn({ err }, 'waiting-list LISTEN connection lost; listening again');
      if (this.connection) this.connection = undefined;
      client.release(err);
      if (this.watchers.size) {
        this.listening().then(
          () => this.watchers.forEach((w) => w.changed()),
          (reconnectErr: unknown) => this.logger.error({ err: reconnectErr }, 'cannot LISTEN for waiting-list changes'),
        );
      }
    });
    await client.query(`listen ${WAITLIST_CHANNEL}`);
    return client;
  }

  private async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const client = await connection?.catch(() => undefined);
    if (!client) return;
    await client.query(`unlisten ${WAITLIST_CHANNEL}`).catch(() => undefined);
    client.release();
  }

  private deliver(payload: string): void {
    const [ticketId, userId] = payload.split(':');
    for (const watcher of this.watchers) {
      if (watcher.userId === userId || (ticketId && watcher.tickets.has(ticketId))) watcher.changed();
    }
  }
}
