import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../logger';
import { NotificationListener } from './notification-listener';
import { afterCommit } from './pipelined-transaction';

export interface ChangeGenerationOptions {
  /** The service's pool: LISTEN takes a connection of it, and its transactions' commits move the generation (changedOnCommit). */
  pool: pg.Pool;
  /** LISTEN on a connection of this pool instead (a test reaches Postgres through a proxy it can freeze or cut). */
  listenPool?: pg.Pool;
  /** The channel a trigger NOTIFYs when the data changes (delivered at the writer's commit). */
  channel: string;
  logger: Logger;
  /** How long to wait before listening again after the LISTEN connection is lost. */
  retryMs: number;
  /**
   * Every this many ms, NOTIFY a ping of its own on the channel and expect to hear it before the
   * next: a LISTEN connection that stalled without closing (a partition that drops its packets)
   * then counts as lost after at most twice this long, instead of when TCP keepalive gives up.
   * Unset: no pings.
   */
  heartbeatMs?: number;
}

/** The payload prefix of heartbeat pings (the trigger's notifications carry none). */
const PING = 'ping:';

/** The generations started on each pool, by channel: whom a commit on that pool tells at once (changedOnCommit). */
const generationsByPool = new WeakMap<pg.Pool, Map<string, Set<ChangeGeneration>>>();

/**
 * A number that moves whenever data announced on `channel` may have changed, for holding what was
 * read from that data (a cache) only while it still is what the database holds:
 *
 * - every NOTIFY on the channel moves it, whichever process or statement committed the change
 *   (a trigger sends it; Postgres delivers it after the commit);
 * - a commit of this process that changed the data moves it at once (`changedOnCommit`), before
 *   the writer answers, so this process reads its own writes without waiting for the NOTIFY;
 * - while the LISTEN connection is not established (before it first works, after it is lost,
 *   until it works again), or with `heartbeatMs` while its last ping has not come back, there is
 *   no generation at all (`current()` is undefined): changes would go unheard, so nothing may be
 *   trusted. It moves again when LISTEN works again.
 *
 * A reader takes `current()` BEFORE reading and keeps what it read only if `unchangedSince` that
 * value: a change that committed after the read's snapshot was taken is then either heard before
 * the keep (not kept) or after it (the keep is dropped by the move). What remains is the time
 * from another process's commit to its NOTIFY reaching this one (docs/listing-cache.md).
 */
export class ChangeGeneration {
  private generation = 0;
  private listening = false;
  private readonly listener: NotificationListener;
  private readonly onMoveHandlers: (() => void)[] = [];
  /** The last ping sent and not heard yet. */
  private awaitedPing?: string;
  /** True while the last ping went unheard: nothing is trusted until it (or a later one) arrives. */
  private stalled = false;
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly options: ChangeGenerationOptions) {
    this.listener = new NotificationListener({
      pool: options.listenPool ?? options.pool,
      channel: options.channel,
      logger: options.logger,
      onNotify: (payload) => this.heard(payload),
      onRelisten: () => this.listened(),
      onLost: () => {
        this.listening = false;
        this.move();
      },
      retryMs: options.retryMs,
    });
  }

  /** Starts listening; resolves once LISTEN works or has failed once (it keeps trying; no generation meanwhile). */
  async start(): Promise<void> {
    const { pool, channel } = this.options;
    let byChannel = generationsByPool.get(pool);
    if (!byChannel) generationsByPool.set(pool, (byChannel = new Map()));
    let generations = byChannel.get(channel);
    if (!generations) byChannel.set(channel, (generations = new Set()));
    generations.add(this);
    if (await this.listener.start()) this.listened();
    if (this.options.heartbeatMs) this.heartbeat = setInterval(() => this.ping(), this.options.heartbeatMs).unref();
  }

  async stop(): Promise<void> {
    generationsByPool.get(this.options.pool)?.get(this.options.channel)?.delete(this);
    clearInterval(this.heartbeat);
    this.listening = false;
    this.move();
    await this.listener.stop();
  }

  /** The generation now, or undefined while changes could go unheard (LISTEN not established, or its last ping unheard). */
  current(): number | undefined {
    return this.listening && !this.stalled ? this.generation : undefined;
  }

  /** True when nothing may have changed since `current()` answered `generation`. */
  unchangedSince(generation: number | undefined): boolean {
    return this.current() !== undefined && generation === this.generation;
  }

  /** Calls `handler` each time the generation moves (e.g. to drop what a cache holds). */
  onMove(handler: () => void): void {
    this.onMoveHandlers.push(handler);
  }

  /** A change was made (or may have been): whatever was read before it is out of date. */
  move(): void {
    this.generation++;
    for (const handler of this.onMoveHandlers) handler();
  }

  private heard(payload: string): void {
    if (!payload.startsWith(PING)) {
      this.move();
      return;
    }
    // Another process's ping changes nothing. Ours says that every notification sent before it
    // has been heard (one connection delivers in order): the connection works.
    if (payload !== this.awaitedPing) return;
    this.awaitedPing = undefined;
    if (this.stalled) {
      this.stalled = false;
      this.move();
    }
  }

  private ping(): void {
    if (this.awaitedPing !== undefined && !this.stalled) {
      this.options.logger.warn({ channel: this.options.channel }, 'LISTEN connection did not hear its ping; not trusting it until it does');
      this.stalled = true;
      this.move();
    }
    const ping = `${PING}${randomUUID()}`;
    this.awaitedPing = ping;
    this.options.pool.query('select pg_notify($1, $2)', [this.options.channel, ping]).catch(() => undefined);
  }

  private listened(): void {
    // Notifications sent before LISTEN worked were not heard: start from a new generation. A ping
    // sent before it will never be heard on this connection.
    this.awaitedPing = undefined;
    this.stalled = false;
    this.move();
    this.listening = true;
  }
}

/**
 * Moves, right after `tx` commits, the generations on `channel` of the pool it ran on, so the
 * process that wrote reads its own write at once (the NOTIFY reaches the others a moment later).
 * Outside a pipelined transaction (`db.transaction`, listener transactions) there is no commit to
 * wait for here, and the NOTIFY alone tells this process too.
 */
export function changedOnCommit(tx: object, channel: string): void {
  afterCommit(tx, (pool) => {
    for (const generation of generationsByPool.get(pool)?.get(channel) ?? []) generation.move();
  });
}
