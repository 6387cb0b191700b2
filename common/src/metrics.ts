import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay histogram (`nodejs_eventloop_lag_*`) samples. prom-client's
 * default, 10 ms, is a timer that wakes every idle process 100 times a second: ~12 ms of CPU a
 * second per process, doing nothing, and on a VM where a wake-up costs ~13 µs it showed up as
 * "auth 0.1–0.2 ms" in the bench's CPU per order although auth takes no part in an order
 * (docs/benchmarks-history.md, "Wave 12 — idle wake-ups"). Every 100 ms still catches any stall
 * of 100 ms or more, and shorter ones in proportion to their length.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** The Prometheus metrics every service exposes on `GET /metrics`. */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly eventsHandled = new Counter({
    name: 'events_handled_total',
    help: 'Events taken from JetStream by consumer and outcome (processed, duplicate, retry, failed, dead_lettered)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly eventHandleDuration = new Histogram({
    name: 'event_handle_duration_seconds',
    help: 'Time to handle one event, transaction included',
    labelNames: ['consumer'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'outbox_published_total',
    help: 'Outbox rows published to JetStream',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly outboxLag = new Histogram({
    name: 'outbox_publish_lag_seconds',
    help: 'Time from writing an outbox row to JetStream acknowledging its publish',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  readonly waitingEvents = new Gauge({
    name: 'listener_waiting_events',
    help: 'Events a consumer has received but cannot apply yet (waiting for a predecessor)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly oldestWaitingAge = new Gauge({
    name: 'listener_oldest_waiting_event_age_seconds',
    help: 'How long the oldest waiting event has waited since this consumer first received it (0: none waits). Alert when it stays high: a predecessor is missing (look for a dead letter)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly consumerPending = new Gauge({
    name: 'consumer_pending_events',
    help: 'Events in the stream this consumer has not acknowledged yet (not delivered + in flight)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly consumerOldestPendingAge = new Gauge({
    name: 'consumer_oldest_pending_age_seconds',
    help: 'Age of the oldest event this consumer has not acknowledged (0: caught up). Alert well before it nears the stream max_age, after which unread events are discarded',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly backstopActions = new Counter({
    name: 'backstop_actions_total',
    help: 'Things a backstop sweep did because the prompt path (an event, a timer) did not come in time, by action (e.g. order_expired). Each one is a lost or late timer or event',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  /** Set by readFromDatabase: the gauges below are read from the service's tables at each scrape. */
  private pool?: Pool;

  readonly deadLetters: Gauge<'consumer'> = new Gauge({
    name: 'dead_letters',
    help: 'Dead letters not yet replayed, by consumer (read from the database at each scrape). Anything above 0 needs an operator: `npm run dead-letters -- list`',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
    collect: async () => {
      const rows = await this.query<{ consumer: string; count: string }>('select consumer, count(*) as count from dead_letters where replayed_at is null group by consumer');
      if (!rows) return;
      this.deadLetters.reset();
      for (const row of rows) this.deadLetters.set({ consumer: row.consumer }, Number(row.count));
    },
  });

  readonly outboxPendingRows: Gauge = new Gauge({
    name: 'outbox_pending_rows',
    help: 'Events written to the outbox and not yet published (read from the database at each scrape). A growing backlog means the relay cannot reach JetStream',
    registers: [this.registry],
    collect: async () => {
      const rows = await this.query<{ count: string }>('select count(*) as count from outbox');
      if (rows?.[0]) this.outboxPendingRows.set(Number(rows[0].count));
    },
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }

  /**
   * Lets the event core's gauges (dead letters, outbox backlog) read the service's database at
   * each scrape, so every replica reports the same truth and nothing is counted in memory.
   */
  readFromDatabase(pool: Pool): void {
    this.pool = pool;
  }

  /** A scrape during a database outage keeps the last values instead of failing /metrics. */
  private async query<Row extends Record<string, unknown>>(text: string): Promise<Row[] | undefined> {
    if (!this.pool) return undefined;
    return this.pool.query<Row>(text).then((result) => result.rows, () => undefined);
  }
}
