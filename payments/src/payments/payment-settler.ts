import { NotificationListener, type Logger } from '@microtick/common';
import type pg from 'pg';
import { findUnsettled, SETTLE_CHANNEL, settlePayment, type SettleDeps } from './settle-payment';

const BATCH = 50;

export interface PaymentSettlerOptions extends SettleDeps {
  pool: pg.Pool;
  /** Safety net for a missed NOTIFY or a failed Stripe call. */
  pollIntervalMs?: number;
}

/**
 * Captures and voids as orders decides: wakes on the NOTIFY the order listeners send at commit
 * (in every replica; the per-payment lease keeps them from doing one twice) and polls as a
 * fallback, so a Stripe outage only delays a capture or a void until it is back.
 */
export class PaymentSettler {
  private readonly notifications: NotificationListener;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly options: PaymentSettlerOptions) {
    this.notifications = new NotificationListener({ pool: options.pool, channel: SETTLE_CHANNEL, logger: options.logger, onNotify: () => this.wake(), retryMs: 1_000 });
  }

  async start(): Promise<void> {
    await this.notifications.start();
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 2_000);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.notifications.stop();
  }

  /** Settles everything decided now; concurrent wake-ups coalesce into one more pass. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.options.logger.warn({ err }, 'payment settling failed; will retry'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const ids = await findUnsettled(this.options.db, BATCH);
      if (ids.length === 0 || this.stopped) return;
      const results = await Promise.allSettled(ids.map((id) => settlePayment(this.options, id)));
      const failed = results.filter((r) => r.status === 'rejected');
      for (const failure of failed) this.options.logger.warn({ err: failure.reason }, 'cannot capture or void a payment yet; will retry');
      // A short batch was everything; failures are retried by the next poll, not in a hot loop.
      if (ids.length < BATCH || failed.length > 0) return;
    }
  }
}
