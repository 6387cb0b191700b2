import { NotificationListener, type Logger } from '@microtick/common';
import type pg from 'pg';

/** Where the `orders_notify_change` trigger (migration 0002) announces a committed order change. */
export const ORDER_CHANGED_CHANNEL = 'microtick_order_changed';

export type OrderChangeHandler = () => void;

/**
 * Fans the trigger's NOTIFYs out to whoever watches an order (the SSE route), over one LISTEN
 * connection per process (common's NotificationListener). Watchers are told "order X changed"
 * and read it themselves; once the connection is back after it was lost they are all told, since
 * a change may have been missed meanwhile.
 */
export class OrderChangeFeed {
  private readonly watchers = new Map<string, Set<OrderChangeHandler>>();
  private listener?: NotificationListener;

  async start(pool: pg.Pool, logger: Logger): Promise<void> {
    this.listener = new NotificationListener({
      pool,
      channel: ORDER_CHANGED_CHANNEL,
      logger,
      onNotify: (orderId) => this.notify(orderId),
      onRelisten: () => this.notify(undefined),
      retryMs: 1_000,
    });
    await this.listener.start();
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
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

  /** Tells the watchers of one order, or of every order (`undefined`) after changes may have been missed. */
  private notify(orderId: string | undefined): void {
    const targets = orderId === undefined ? [...this.watchers.values()] : [this.watchers.get(orderId) ?? new Set<OrderChangeHandler>()];
    for (const set of targets) for (const handler of [...set]) handler();
  }
}
