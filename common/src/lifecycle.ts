import type { Logger } from './logger';

type StopFn = () => Promise<unknown> | unknown;

/** How long a graceful stop may take; Kubernetes' terminationGracePeriodSeconds must exceed it. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/**
 * Start-up and shutdown in one place: everything a service starts registers how to stop it,
 * and SIGTERM/SIGINT stop them in reverse order (HTTP first, pools last). A second signal, or a
 * shutdown that takes longer than `timeoutMs`, exits at once.
 */
export class Lifecycle {
  private readonly stops: { name: string; stop: StopFn }[] = [];
  private stopping?: Promise<void>;

  constructor(private readonly logger: Logger, private readonly timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  onStop(name: string, stop: StopFn): void {
    this.stops.push({ name, stop });
  }

  /** Exits the process on SIGTERM/SIGINT after a graceful stop, and on unhandled rejections. */
  handleSignals(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        this.logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      this.logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        this.logger.error('shutdown timed out');
        process.exit(1);
      }, this.timeoutMs);
      timer.unref();
      void this.stop().then(() => process.exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('unhandledRejection', (err) => {
      this.logger.fatal({ err }, 'unhandled rejection');
      process.exit(1);
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, stop } of [...this.stops].reverse()) {
        try {
          await stop();
          this.logger.debug({ step: name }, 'stopped');
        } catch (err) {
          this.logger.error({ err, step: name }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }
}
