import { ChangeGeneration, changedOnCommit, type JsonBody, type Logger } from '@microtick/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type pg from 'pg';
import type { TicketQuery } from './ticket-query';

/** Where the `tickets_notify_change` trigger (migration 0004) announces a committed change of the tickets table. */
export const TICKETS_CHANGED_CHANNEL = 'microtick_tickets_changed';

/** A listing page as the route answers it, kept for the next request that asks for the same page. */
export interface CachedPage {
  /** The JSON array, encoded, with its ETag (computed once, not per answer). */
  answer: JsonBody;
  /** Where the next page starts, when there is one (the Link header is built from it). */
  next?: { key: number; id: string };
  /** The Link header last built for this page, and the request URL it was built for. */
  link?: { url: string; header: string };
}

export interface ListingCacheLimits {
  /** Pages kept at most (the least recently used goes first); 0 keeps none. */
  maxPages: number;
  /** Bytes of JSON kept at most, over all pages. */
  maxBytes: number;
}

/** What a kept page costs besides its JSON: the entry, its key, its headers (a rough, generous figure). */
const PAGE_OVERHEAD_BYTES = 512;

/**
 * The public listing's pages that everyone asks for (the first pages of each sort, without a
 * search or a price range), kept in memory with the bytes and headers they are answered with,
 * and dropped whenever a ticket may have changed: the ChangeGeneration on the tickets table's
 * NOTIFY channel moves on every change any process commits, at once on this process's own
 * commits (`ticketsChangedOnCommit`), and while LISTEN is down nothing is served from here.
 * docs/listing-cache.md says what a user can and cannot see because of it.
 */
export class ListingCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;
  private readonly lookups: { hit: Counter.Internal; miss: Counter.Internal; off: Counter.Internal };
  private readonly discarded: Counter;

  constructor(
    private readonly generation: ChangeGeneration,
    private readonly limits: ListingCacheLimits,
    registry: Registry,
  ) {
    generation.onMove(() => this.clear());
    const lookups = new Counter({
      name: 'listing_cache_lookups_total',
      help: 'GET /api/tickets pages looked up in the listing cache: hit, miss, or off (no LISTEN connection: changes could go unheard, so nothing is served from it)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.lookups = { hit: lookups.labels('hit'), miss: lookups.labels('miss'), off: lookups.labels('off') };
    this.discarded = new Counter({
      name: 'listing_cache_discarded_total',
      help: 'Listing pages read from Postgres but not kept, because a ticket may have changed while they were read',
      registers: [registry],
    });
    const bytes: Gauge = new Gauge({
      name: 'listing_cache_bytes',
      help: 'Bytes the listing cache holds (JSON and a rough per-page overhead)',
      registers: [registry],
      collect: () => bytes.set(this.bytes),
    });
  }

  /** The key of a listing worth keeping (a page of the public listing by offset, no search, no price range), else undefined. */
  keyOf(query: TicketQuery): string | undefined {
    if (this.limits.maxPages === 0 || query.sellerId !== undefined || query.after || query.words?.length) return undefined;
    if (query.minPriceCents !== undefined || query.maxPriceCents !== undefined) return undefined;
    return `${query.sort}:${query.limit}:${query.offset ?? 0}`;
  }

  /** The page kept under `key`, if it is still what the database holds. */
  get(key: string): CachedPage | undefined {
    if (this.generation.current() === undefined) {
      this.lookups.off.inc();
      return undefined;
    }
    const page = this.pages.get(key);
    if (!page) {
      this.lookups.miss.inc();
      return undefined;
    }
    this.lookups.hit.inc();
    // Most recently used last: the Map's order is the eviction order.
    this.pages.delete(key);
    this.pages.set(key, page);
    return page;
  }

  /** To take BEFORE reading a page from Postgres, and hand to `set` with what was read. */
  currentGeneration(): number | undefined {
    return this.generation.current();
  }

  /** Keeps `page` unless a ticket may have changed since `generation` was taken (or LISTEN is down). */
  set(key: string, generation: number | undefined, page: CachedPage): void {
    if (!this.generation.unchangedSince(generation)) {
      if (generation !== undefined) this.discarded.inc();
      return;
    }
    const size = page.answer.body.length + key.length + PAGE_OVERHEAD_BYTES;
    if (size > this.limits.maxBytes) return;
    this.delete(key);
    this.pages.set(key, page);
    this.bytes += size;
    for (const [oldest] of this.pages) {
      if (this.pages.size <= this.limits.maxPages && this.bytes <= this.limits.maxBytes) break;
      this.delete(oldest);
    }
  }

  /** Pages and bytes held (for tests and the gauge). */
  get size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }

  private delete(key: string): void {
    const page = this.pages.get(key);
    if (!page) return;
    this.pages.delete(key);
    this.bytes -= page.answer.body.length + key.length + PAGE_OVERHEAD_BYTES;
  }

  private clear(): void {
    this.pages.clear();
    this.bytes = 0;
  }
}

/**
 * Tells this process's listing caches, right after `tx` commits, that tickets changed: every
 * statement that writes the tickets table calls it (its trigger tells the other processes), so a
 * seller who lists a ticket sees it in the listing this process answers next.
 */
export const ticketsChangedOnCommit = (tx: object): void => changedOnCommit(tx, TICKETS_CHANGED_CHANNEL);

/** A listing cache for the service's `pool` (its LISTEN connection from `listenPool`, default `pool`), started; `stop` ends it. */
export async function startListingCache(options: {
  pool: pg.Pool;
  listenPool?: pg.Pool;
  logger: Logger;
  registry: Registry;
  limits: ListingCacheLimits;
  retryMs?: number;
  /** How often the LISTEN connection proves it still hears (ChangeGeneration's heartbeat); 0: never. */
  heartbeatMs?: number;
}): Promise<{ cache: ListingCache; stop(): Promise<void> }> {
  const generation = new ChangeGeneration({
    pool: options.pool,
    listenPool: options.listenPool,
    channel: TICKETS_CHANGED_CHANNEL,
    logger: options.logger,
    retryMs: options.retryMs ?? 1_000,
    heartbeatMs: options.heartbeatMs ?? 1_000,
  });
  const cache = new ListingCache(generation, options.limits, options.registry);
  await generation.start();
  return { cache, stop: () => generation.stop() };
}
