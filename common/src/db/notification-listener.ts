import type pg from 'pg';
import type { Logger } from '../logger';

export interface NotificationListenerOptions {
  pool: pg.Pool;
  /** The Postgres channel to LISTEN on (a trigger NOTIFYs it at commit). */
  channel: string;
  logger: Logger;
  /** Called on every notification; the caller's poll covers any that are missed. */
  onNotify: () => void;
  /** How long to wait before listening again after the connection is lost. */
  retryMs: number;
}

/**
 * One dedicated connection LISTENing on a channel, replaced after it is lost. A NOTIFY is only a
 * prompt: callers also poll, so a notification missed while reconnecting delays work, never loses it.
 */
export class NotificationListener {
  private client?: pg.PoolClient;
  private stopped = false;

  constructor(private readonly options: NotificationListenerOptions) {}

  async start(): Promise<void> {
    const { pool, channel, logger, onNotify } = this.options;
    try {
      const client = await pool.connect();
      client.on('notification', onNotify);
      client.on('error', (err) => {
        logger.warn({ err, channel }, 'LISTEN connection lost; polling until it is back');
        client.release(err);
        if (this.client === client) this.client = undefined;
        this.retry();
      });
      await client.query(`listen ${channel}`);
      if (this.stopped) {
        client.release();
        return;
      }
      this.client = client;
    } catch (err) {
      logger.warn({ err, channel }, 'cannot LISTEN; polling until it works');
      this.retry();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query(`unlisten ${this.options.channel}`).catch(() => undefined);
      client.release();
    }
  }

  private retry(): void {
    setTimeout(() => {
      if (!this.stopped) void this.start();
    }, this.options.retryMs).unref();
  }
}
