import type pg from 'pg';
import type { Logger } from '../logger';

export interface NotificationListenerOptions {
  pool: pg.Pool;
  /** The Postgres channel to LISTEN on (a trigger NOTIFYs it at commit). */
  channel: string;
  logger: Logger;
  /** Called on every notification with its payload ('' when it has none). */
  onNotify: (payload: string) => void;
  /**
   * Called when LISTEN works again after the connection was lost (or could not be opened at
   * start): notifications sent meanwhile were missed, so whoever relies on them reads afresh.
   * Callers that also poll need not set it.
   */
  onRelisten?: () => void;
  /**
   * Called when the LISTEN connection is lost: until LISTEN works again (onRelisten),
   * notifications go unheard. For callers that must not trust what they hold meanwhile (a cache).
   */
  onLost?: () => void;
  /** How long to wait before listening again after the connection is lost. */
  retryMs: number;
}

/**
 * One dedicated connection LISTENing on a channel, replaced after it is lost. A NOTIFY is only a
 * prompt: callers poll, or read afresh on `onRelisten`, so a notification missed while
 * reconnecting delays work, never loses it.
 */
/** A checked-out LISTEN connection and the one way to give it back (once, with our handlers off it). */
interface Listening {
  client: pg.PoolClient;
  release(err?: Error): void;
}

export class NotificationListener {
  private listening?: Listening;
  private stopped = false;

  constructor(private readonly options: NotificationListenerOptions) {}

  /** Starts listening; resolves true once LISTEN works, false if it failed (it retries in the background). */
  start(): Promise<boolean> {
    return this.listen(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const listening = this.listening;
    this.listening = undefined;
    if (listening) {
      await listening.client.query(`unlisten ${this.options.channel}`).catch(() => undefined);
      listening.release();
    }
  }

  private async listen(again: boolean): Promise<boolean> {
    const { pool, channel, logger, onNotify } = this.options;
    let listening: Listening | undefined;
    try {
      const client = await pool.connect();
      let released = false;
      const onNotification = (message: pg.Notification) => onNotify(message.payload ?? '');
      // A lost connection can report more than one error; it is given back once. The pool reuses
      // a connection given back without an error, so our handlers come off it (else they would
      // still fire for the next user of that connection).
      const onError = (err: Error) => {
        logger.warn({ err, channel }, 'LISTEN connection lost; listening again');
        current.release(err);
        if (this.listening === current) {
          this.listening = undefined;
          this.options.onLost?.();
        }
        this.retry();
      };
      const current: Listening = {
        client,
        release: (err?: Error) => {
          if (released) return;
          released = true;
          client.off('notification', onNotification);
          client.off('error', onError);
          client.release(err);
        },
      };
      listening = current;
      client.on('notification', onNotification);
      client.on('error', onError);
      await client.query(`listen ${channel}`);
      if (this.stopped) {
        current.release();
        return false;
      }
      this.listening = current;
      if (again) this.options.onRelisten?.();
      return true;
    } catch (err) {
      logger.warn({ err, channel }, 'cannot LISTEN; trying again');
      listening?.release(err as Error);
      this.retry();
      return false;
    }
  }

  private retry(): void {
    setTimeout(() => {
      if (!this.stopped) void this.listen(true);
    }, this.options.retryMs).unref();
  }
}
