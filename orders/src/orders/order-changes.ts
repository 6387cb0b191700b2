import type { Logger } from '@microtick/common';
import type pg from 'pg';

/** Where the `orders_notify_change` trigger (migration 0002) announces a committed order change. */
export const ORDER_CHANGED_CHANNEL = 'microtick_order_changed';

export type OrderChangeHandler = () => void;

/**
 * Fans the trigger's NOTIFYs out to whoever watches an order (the SSE route), over one LISTEN
 * connection per process. Watchers are told "order X changed" and read it themselves; after the
 * connection was lost they are all told, since a change may have been missed meanwhile.
 */
export class OrderChangeFeed {
  private readonly watchers = new Map<string, Set<OrderChangeHandler>>();
  private client?: pg.PoolClient;
  private pool?: pg.Pool;
  private logger?: Logger;
  private stopped = false;

  async start(pool: pg.Pool, logger: Logger): Promise<void> {
    this.pool = pool;
    this.logger = logger;
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query(`unlisten ${ORDER_CHANGED_CHANNEL}`).catch(() => undefined);
      client.release();
    }
  }

  /** Calls `onChange` after each committed change of the order; the returned function stops it. */
  watch(orderId: string, onChange: OrderChangeHandler): () => void {
    let set = this.watchers.get(orderId);
    if (!set) this.watchers.set(orderId, (set = new Set()));
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0 && this.watchers.get(orderId) === set) this.watchers.delete(orderId);
    };
  }

  private notify(orderId: string | undefined): void {
    const targets = orderId === undefined ? [...this.watchers.values()] : [this.watchers.get(orderId) ?? new Set<OrderChangeHandler>()];
    for (const set of targets) for (const handler of [...set]) handler();
  }

  private async listen(): Promise<void> {
    const { pool, logger } = this;
    if (!pool || this.stopped) return;
    try {
      const client = await pool.connect();
      client.on('notification', (message) => this.notify(message.payload));
      client.on('error', (err) => {
        logger?.warn({ err }, 'order change listener lost its connection; reconnecting');
        client.release(err);
        if (this.client === client) this.client = undefined;
        this.relisten();
      });
      await client.query(`listen ${ORDER_CHANGED_CHANNEL}`);
      this.client = client;
      this.notify(undefined); // whatever changed while not listening
    } catch (err) {
      logger?.warn({ err }, 'cannot LISTEN for order changes; retrying');
      this.relisten();
    }
  }

  private relisten(): void {
    setTimeout(() => void this.listen(), 1_000).unref();
  }
}
