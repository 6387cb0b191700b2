import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamPublishOptions } from '@nats-io/jetstream';
import pg from 'pg';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import type { EventEnvelope, EventType } from '../events/catalogue';
import { withPublishSpan } from '../tracing/propagation';
import type { EventBus } from './event-bus';
import { OUTBOX_CHANNEL, publishOnCommit, stopPublishingOnCommit, type CommittedEventPublisher, type StagedEvent } from './outbox';
import { NotificationListener } from '../db/notification-listener';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  bus: Pick<EventBus, 'js' | 'subjectFor'>;
  logger: Logger;
  metrics?: ServiceMetrics;
  batchSize?: number;
  /** Safety net when a NOTIFY is missed (e.g. the listening connection dropped). */
  pollIntervalMs?: number;
  /**
   * The longest a relay may hold claimed rows (default 10 s). Its transaction runs with this
   * `statement_timeout` and `idle_in_transaction_session_timeout`, so if the relay stalls mid-batch
   * (its host froze or vanished, a network partition) Postgres ends the session, the rows
   * unlock and another replica's relay publishes them; each publish waits at most half of it.
   */
  holdTimeoutMs?: number;
  /** How long the last batch's commit waits for the next claim to go along with (default 100 ms; see publishPending). */
  commitHoldMs?: number;
  /**
   * Publish each event the moment the transaction that staged it commits in this process
   * (default true; see publishCommitted), rather than after a NOTIFY and a claim.
   */
  publishOnCommit?: boolean;
  /**
   * While events are published as they commit, claims take only rows older than this (default
   * 1 s), except at start and stop: younger ones are being published by the relay of the process
   * that staged them (this one or another replica), and claiming them would publish them twice.
   */
  claimAfterMs?: number;
}

interface OutboxRow {
  seq: number;
  msg_id: string;
  event_type: EventType;
  payload: unknown;
  age_ms: number;
}

/**
 * Publishes outbox rows to JetStream and deletes them once acknowledged.
 *
 * Events staged in this process are published the moment their transaction commits
 * (publishCommitted): no NOTIFY, no claim, before their rows are deleted. Everything else —
 * rows of a process that died before publishing, of a publish that failed, or staged outside a
 * pipelined transaction — is claimed from the outbox: on the poll, at start and stop, and,
 * after a failed publish, at each commit of this process until the outbox is drained again.
 * With `publishOnCommit: false` it claims every row, woken by the NOTIFY that `addToOutbox`
 * sends with the commit of any writer whose pool has no relay publishing on commit. Rows are claimed with FOR UPDATE SKIP LOCKED, so relays in several
 * replicas share the work; a crash between publish and delete republishes with the same
 * `Nats-Msg-Id`, which JetStream drops as a duplicate.
 */
export class OutboxRelay implements CommittedEventPublisher {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly holdTimeoutMs: number;
  private readonly commitHoldMs: number;
  private readonly notifications: NotificationListener;
  private connection?: RelayConnection;
  private pollTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private wakeAgain = false;
  private stopped = false;
  /** The last batch's deletes are not committed yet (publishPending): they go with the next claim, or at commitTimer. */
  private commitPending = false;
  private commitTimer?: NodeJS.Timeout;
  private readonly publishesOnCommit: boolean;
  /** Publishing events as they commit: from the first drained pass, and off from a failed publish until the outbox is drained again (publishPending). */
  private direct: boolean;
  /** Events published by publishCommitted (or being published) whose rows are not deleted yet: claims skip them. */
  private readonly ownRows = new Set<string>();
  /** Of those, the ones JetStream acknowledged: their rows are deleted together, DELETE_DELAY_MS after the first. */
  private readonly acked: string[] = [];
  private deleteTimer?: NodeJS.Timeout;
  private readonly directPublishes = new Set<Promise<void>>();
  /** Committed events waiting for the publishes in flight to be acknowledged (publishCommitted). */
  private readonly waitingToPublish: { event: StagedEvent; committedAt: number }[] = [];
  private readonly claimAfterMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.holdTimeoutMs = Math.max(1_000, Math.trunc(options.holdTimeoutMs ?? 10_000));
    // Well under the hold timeout, which ends a transaction left idle that long.
    this.commitHoldMs = Math.min(options.commitHoldMs ?? DEFAULT_COMMIT_HOLD_MS, this.holdTimeoutMs / 2);
    this.publishesOnCommit = options.publishOnCommit ?? true;
    this.claimAfterMs = Math.max(0, Math.trunc(options.claimAfterMs ?? DEFAULT_CLAIM_AFTER_MS));
    // From the end of the first pass, which claims every row there is (publishPending).
    this.direct = false;
    this.notifications = new NotificationListener({ pool: options.pool, channel: OUTBOX_CHANNEL, logger: options.logger, onNotify: () => this.wake(), retryMs: this.pollIntervalMs });
  }

  async start(): Promise<void> {
    // Publishing as transactions commit, the relay needs no NOTIFY: its own process's commits
    // reach it directly (publishCommitted wakes it while it claims instead), and other
    // processes' rows are theirs to publish (the poll is the fallback). Not listening spares
    // Postgres and this process a notification per committed transaction, and the pool a
    // connection.
    if (this.publishesOnCommit) publishOnCommit(this.options.pool, this);
    else await this.notifications.start();
    this.pollTimer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.wake();
  }

  /**
   * Stops, after a final drain: rows staged while the last pass was running (its wake-up was
   * dropped because we were stopping) are published now rather than left for another replica
   * or the next start. The service stops its HTTP server and listeners first, so nothing new is
   * staged meanwhile. If publishing fails now (NATS down), the rows stay for the next relay.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    stopPublishingOnCommit(this.options.pool, this);
    clearInterval(this.pollTimer);
    clearTimeout(this.commitTimer);
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    await this.running;
    // Events published as they committed: wait for their acks, then delete their rows.
    while (this.directPublishes.size > 0) await Promise.allSettled([...this.directPublishes]);
    await this.deletePublished();
    // The final drain takes every row, whoever staged it.
    this.direct = false;
    try {
      await this.publishPending();
    } catch (err) {
      this.options.logger.warn({ err }, 'final outbox drain failed; the rows stay for the next relay');
    }
    this.dropConnection();
    await this.notifications.stop();
  }

  /** Publishes everything pending now; coalesces concurrent wake-ups into one more pass. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.runAlone(() => this.drain());
  }

  /**
   * Runs `task` as the one user of the relay's connection; a wake-up meanwhile is one more pass
   * after it, and rows published meanwhile are deleted after it.
   */
  private runAlone(task: () => Promise<void>): void {
    this.running = task().finally(() => {
      this.running = undefined;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      } else if (this.acked.length > 0 && !this.deleteTimer && !this.stopped) {
        this.runAlone(() => this.deletePublished());
      }
    });
  }

  /**
   * Publishes an event whose transaction has just committed in this process (addToOutbox's
   * after-commit hook), and deletes its row once JetStream has it. Its wait for a NOTIFY and a
   * claim round trip — most of an event's time from commit to bus when the relay claimed
   * every row — is gone. What the outbox guarantees stays: the row committed with the state
   * change, so if this publish fails, or the process dies before the row is deleted, the relay
   * claims the row and publishes it again under the same Nats-Msg-Id (JetStream drops a
   * duplicate). After a failed publish, events go through the outbox (each commit wakes the
   * relay to claim, in order) until it is drained again, so a bus outage's backlog is not overtaken by every new
   * event; versioned consumers wait for a missing predecessor either way.
   */
  publishCommitted(event: StagedEvent): void {
    if (!this.direct || this.stopped) {
      this.wake();
      return;
    }
    this.ownRows.add(event.msgId);
    // What commits while a publish awaits its ack waits for that ack and then goes out with the
    // others (as a TCP sender waits with small writes while one is unacknowledged): one write,
    // and consumers that get them together apply them in shared transactions. At a trickle
    // nothing is in flight and every event goes at once.
    this.waitingToPublish.push({ event, committedAt: performance.now() });
    if (this.directPublishes.size === 0) this.publishWaiting();
  }

  private publishWaiting(): void {
    for (const { event, committedAt } of this.waitingToPublish.splice(0)) {
      const row = { msg_id: event.msgId, event_type: event.eventType, payload: event.payload, age_ms: 0 };
      const publishing: Promise<void> = publishRow(this.options.bus, row, { timeout: this.holdTimeoutMs / 2 })
        .then(
          () => {
            this.options.metrics?.outboxPublished.inc({ type: event.eventType });
            this.options.metrics?.outboxLag.observe((performance.now() - committedAt) / 1000);
            this.acked.push(event.msgId);
            this.scheduleDelete();
          },
          (err: unknown) => {
            // Its row is the relay's now.
            this.ownRows.delete(event.msgId);
            if (this.direct) {
              this.direct = false;
              this.options.logger.warn({ err }, 'publishing a committed event failed; the relay publishes from the outbox until it is drained');
            }
            this.wake();
          },
        )
        .finally(() => {
          this.directPublishes.delete(publishing);
          if (this.directPublishes.size > 0 || this.waitingToPublish.length === 0) return;
          if (this.direct) this.publishWaiting();
          else this.handOverWaiting();
        });
      this.directPublishes.add(publishing);
    }
  }

  /** After a failed publish: the events waiting to be published are the relay's to claim, in order. */
  private handOverWaiting(): void {
    for (const { event } of this.waitingToPublish.splice(0)) this.ownRows.delete(event.msgId);
    this.wake();
  }

  private scheduleDelete(): void {
    if (this.deleteTimer || this.stopped) return; // stop deletes what is left
    this.deleteTimer = setTimeout(() => {
      this.deleteTimer = undefined;
      // Else after the pass under way (runAlone).
      if (!this.running) this.runAlone(() => this.deletePublished());
    }, DELETE_DELAY_MS);
  }

  /**
   * Deletes the rows of events publishCommitted published, on the relay's own connection (a held
   * claim's commit first). If that fails twice, the rows stay: the relay claims them and
   * publishes them again, and JetStream drops the duplicates.
   */
  private async deletePublished(): Promise<void> {
    const ids = this.acked.splice(0);
    if (ids.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const { client } = await this.claimingConnection();
        if (this.commitPending) {
          this.commitPending = false;
          clearTimeout(this.commitTimer);
          await client.query('commit');
        }
        await client.query('delete from outbox where msg_id = any($1::uuid[])', [ids]);
        break;
      } catch (err) {
        // Usually a lost connection: once more on a new one.
        this.dropConnection();
        if (attempt >= 2) {
          this.options.logger.warn({ err, rows: ids.length }, 'cannot delete published outbox rows; they will be published again (JetStream drops the duplicates)');
          break;
        }
      }
    }
    for (const id of ids) this.ownRows.delete(id);
  }

  /** The held commit of the last batch, when no wake-up came to take it along within `commitHoldMs`. */
  private commitHeld(): void {
    if (this.running || !this.commitPending) return; // a pass under way commits it with its claim
    this.runAlone(async () => {
      const connection = this.connection;
      this.commitPending = false;
      // Failed: the rows come back and are published again under the same Nats-Msg-Id (dropped by JetStream).
      await connection?.client.query('commit').catch((err: unknown) => {
        this.options.logger.warn({ err }, 'outbox relay commit failed; its rows will be published again (JetStream drops the duplicates)');
        this.dropConnection();
      });
    });
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.publishPending();
        return;
      } catch (err) {
        failures += 1;
        this.options.logger.warn({ err, failures }, 'outbox publish failed; retrying');
        // The rows stay in the outbox; back off so a NATS or Postgres outage is not hammered.
        await sleep(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  }

  /**
   * Publishes batch after batch until one comes back short with no wake-up during it. Each batch
   * is claimed and deleted in an open transaction, published, then committed: if a publish fails
   * the rollback puts the rows back. When more is known to be pending (a full batch, or a NOTIFY
   * arrived meanwhile), the commit and the next claim go together, so at load an event waits
   * one round trip less for the batch before it.
   *
   * The last batch's commit is held too (`commitHoldMs`) for the next wake-up's claim to take
   * along, so at a steady trickle a batch costs one round trip instead of two. Nothing waits for
   * that commit: the rows are published, and the other relays skip them while they are locked.
   * A crash before it brings them back to be published again under the same Nats-Msg-Id, which
   * JetStream drops, as a crash between publishing and committing always could.
   */
  private async publishPending(): Promise<void> {
    clearTimeout(this.commitTimer);
    const { client } = await this.claimingConnection();
    try {
      const held = this.commitPending;
      // Settled by this claim either way: committed with it, or rolled back when it fails.
      this.commitPending = false;
      let rows = await this.claim(client, held ? 'commit;' : '');
      for (;;) {
        await this.publish(rows);
        if (rows.length < this.batchSize && !this.wakeAgain) break;
        // Cleared before the claim is sent: a NOTIFY handled from now on may be for a row this
        // claim's snapshot misses, and sets it again for one more batch.
        this.wakeAgain = false;
        rows = await this.claim(client, 'commit;');
      }
      if (rows.length > 0 && !this.stopped) {
        this.commitPending = true;
        this.commitTimer = setTimeout(() => this.commitHeld(), this.commitHoldMs);
      } else {
        await client.query('commit');
      }
      // Drained (what was there at start, or what a failed publish left): events go out as they commit.
      if (!this.wakeAgain && !this.stopped) this.direct = this.publishesOnCommit;
    } catch (err) {
      // A connection that cannot even roll back is replaced; after a failed publish (NATS down)
      // a healthy one is kept for the retries.
      await client.query('rollback').catch(() => this.dropConnection());
      throw err;
    }
  }

  /** Opens a transaction and claims (deletes) the oldest rows no other relay holds, after `before`. */
  private async claim(client: pg.Client, before: '' | 'commit;'): Promise<OutboxRow[]> {
    // Simple-protocol multi-statement query (no parameters): batchSize and the timeouts are our
    // own integers. The timeouts bound how long a stalled relay can keep these rows locked.
    // The commit does not wait for the WAL flush (synchronous_commit off): at load the next
    // batch's claim waits for this commit, and a flush took up to tens of ms on a busy disk. A
    // Postgres crash can lose only this bookkeeping (the last few hundred ms of deletes): the
    // rows come back and are republished with the same Nats-Msg-Id, as after a relay crash.
    // Rows publishCommitted is publishing or has published are left to it (their ids are ours:
    // uuids), and so are young rows while events are published as they commit (claimAfterMs).
    const conditions = [
      ...(this.ownRows.size > 0 ? [`msg_id not in (${[...this.ownRows].map(uuidLiteral).join(', ')})`] : []),
      ...(this.direct ? [`created_at < now() - interval '${this.claimAfterMs} milliseconds'`] : []),
    ];
    const skip = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
    const results = (await client.query(
      `${before}
       begin;
       set local statement_timeout = ${this.holdTimeoutMs};
       set local idle_in_transaction_session_timeout = ${this.holdTimeoutMs};
       set local synchronous_commit = off;
       delete from outbox where seq in (select seq from outbox ${skip} order by seq limit ${Math.trunc(this.batchSize)} for update skip locked)
       returning seq, msg_id, event_type, payload, extract(epoch from (clock_timestamp() - created_at)) * 1000 as age_ms`,
    )) as unknown as pg.QueryResult<OutboxRow>[];
    return (results.at(-1)?.rows ?? []).sort((a, b) => a.seq - b.seq);
  }

  /** Publishes claimed rows in order and waits for JetStream's acks. */
  private async publish(rows: readonly OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { bus, metrics } = this.options;
    const claimedAt = performance.now();
    // One connection keeps publish order; awaiting the acks together keeps the batch fast.
    await Promise.all(rows.map((row) => publishRow(bus, row, { timeout: this.holdTimeoutMs / 2 })));
    const publishMs = performance.now() - claimedAt;
    for (const row of rows) {
      metrics?.outboxPublished.inc({ type: row.event_type });
      metrics?.outboxLag.observe((Number(row.age_ms) + publishMs) / 1000);
    }
  }

  /**
   * The relay's own connection, kept between batches and opened beside the service's pool (with
   * its settings) rather than taken from it. Checked out of the pool for each batch, the claim
   * queued behind the request handlers' and listeners' transactions whenever the pool was busy
   * (tickets listing at 200/s: p50 100 ms, p99 0.5 s between the NOTIFY and the claim, the
   * largest wait on an event's way to the bus); kept out of it, the pool keeps its full size for
   * them. Closed on stop, replaced after it breaks.
   */
  private async claimingConnection(): Promise<RelayConnection> {
    if (this.connection && !this.connection.broken) return this.connection;
    this.dropConnection();
    // Not in pipeline mode: the relay awaits each of its statements, so it has nothing to pipeline.
    const client = new pg.Client({ ...this.options.pool.options, pipeline: false });
    const connection: RelayConnection = {
      client,
      // The session can end while no query is running (Postgres ended it for holding the rows
      // too long, or the connection broke): pg then emits 'error' on the client, which must not
      // crash the process; the next batch opens a new connection.
      onError: (err: Error) => {
        connection.broken ??= err;
        this.options.logger.warn({ err }, 'outbox relay connection lost; rows it held go back to the outbox');
      },
    };
    client.on('error', connection.onError);
    this.connection = connection;
    try {
      await client.connect();
      // For the deletes of publishCommitted's rows, which run outside the claims' transactions
      // (those set the same locally): see claim.
      await client.query(`set synchronous_commit = off; set statement_timeout = ${this.holdTimeoutMs}`);
    } catch (err) {
      this.dropConnection();
      throw err;
    }
    return connection;
  }

  /**
   * Closes the kept connection (the next batch opens another). Not awaited: over a broken
   * network the goodbye could hang until TCP keepalive gives up, and nothing waits for it.
   */
  private dropConnection(): void {
    const connection = this.connection;
    this.connection = undefined;
    // Its transaction ends with it: a held commit is rolled back (see publishPending).
    this.commitPending = false;
    clearTimeout(this.commitTimer);
    if (!connection) return;
    // Errors of a connection being closed are expected and not worth a warning.
    connection.client.off('error', connection.onError);
    connection.client.on('error', () => undefined);
    void connection.client.end().catch(() => undefined);
  }
}

/** At 10 events/s and more, nearly every batch's commit goes with the next claim. */
const DEFAULT_COMMIT_HOLD_MS = 100;

/** How long the rows of published events wait to be deleted together (off every event's path). */
const DELETE_DELAY_MS = 20;

/** Far beyond a publish's usual milliseconds, and soon enough after a crash. */
const DEFAULT_CLAIM_AFTER_MS = 1_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid as an SQL literal; anything else is refused (it would be SQL text). */
function uuidLiteral(id: string): string {
  if (!UUID.test(id)) throw new Error(`not a uuid: ${JSON.stringify(id)}`);
  return `'${id}'`;
}

interface RelayConnection {
  client: pg.Client;
  onError: (err: Error) => void;
  broken?: Error;
}

/** One row to JetStream, traced as a hop of the trace its envelope carries (docs/tracing.md). */
function publishRow(bus: OutboxRelayOptions['bus'], row: Omit<OutboxRow, 'seq'>, options: Partial<JetStreamPublishOptions> = {}): Promise<unknown> {
  const subject = bus.subjectFor(row.event_type);
  const envelope = row.payload as Partial<EventEnvelope>;
  const span = { type: row.event_type, subject, eventId: row.msg_id, parent: envelope, attributes: { 'microtick.outbox.age_ms': Number(row.age_ms) } };
  return withPublishSpan(span, (headers) => bus.js.publish(subject, JSON.stringify(row.payload), { ...options, msgID: row.msg_id, headers }));
}
