import type { Lifecycle } from '../lifecycle';
import type { Logger } from '../logger';
import { isTracingEnabled, stopTracing, tracingSettings } from './state';

/**
 * A service's share of tracing, called first thing at start-up: spans still buffered are sent
 * when it stops (registered first, so it runs after everything else has stopped). If tracing
 * is configured but the preload did not run (a launcher forgot `--require`), it starts now,
 * late: the relay's and consumers' spans work, HTTP and Postgres spans are missing, and the
 * log says so rather than leaving a half-empty trace unexplained.
 */
export function setUpServiceTracing(service: string, logger: Logger, lifecycle: Lifecycle): void {
  if (tracingSettings().enabled && !isTracingEnabled()) {
    // Loaded only here, so that with tracing off no SDK code is ever required.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startTracing } = require('./sdk') as typeof import('./sdk');
    startTracing(service);
    logger.warn('tracing started without the preload (node --require @microtick/common/tracing/register): no HTTP or Postgres spans');
  }
  if (isTracingEnabled()) {
    logger.info({ endpoint: tracingSettings().endpoint }, 'exporting traces');
    lifecycle.onStop('tracing', stopTracing);
  }
}
