import { postgresDeadLetters } from '@microtick/common';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { DEFAULT_INFRA } from '../../infra/local/src/stack';
import { databaseUrl, namespaceNames, type InfraUrls } from '../../infra/local/src/stack-plan';

export const POSTGRES_SERVICE_NAMES = ['auth', 'tickets', 'orders', 'payments'] as const;
export type PostgresService = (typeof POSTGRES_SERVICE_NAMES)[number];

/**
 * The tables that are the marketplace's state, per service: what a rejected request must leave
 * alone. Bookkeeping (outbox, processed events, payment attempts, an audit of tries) is left out.
 */
const STATE_TABLES: Record<PostgresService, readonly string[]> = {
  auth: ['users'],
  tickets: ['tickets', 'orders_replica'],
  orders: ['tickets_replica', 'orders'],
  payments: ['orders_replica', 'payments'],
};

export interface DeadLetterRow {
  service: PostgresService | 'expiration';
  consumer: string;
  eventType: string;
  eventId: string | null;
  error: string;
  deliveries: number;
}

/**
 * Read access to the databases of one running stack (by its namespace), for checks no API
 * offers: every table of every service, the outbox backlog, dead letters.
 */
export class StackDatabases {
  private constructor(private readonly pools: Record<PostgresService, pg.Pool>) {}

  static open(namespace: string, infra: InfraUrls = DEFAULT_INFRA): StackDatabases {
    const names = namespaceNames(namespace);
    const pool = (service: PostgresService) => new pg.Pool({ connectionString: databaseUrl(infra, names.database(service)), max: 2 });
    return new StackDatabases({ auth: pool('auth'), tickets: pool('tickets'), orders: pool('orders'), payments: pool('payments') });
  }

  async query<Row extends pg.QueryResultRow>(service: PostgresService, text: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pools[service].query<Row>(text, params)).rows;
  }

  /** `service.table` → row count and a hash of every row: equal digests mean equal state. */
  async stateDigest(): Promise<Record<string, string>> {
    const entries = await Promise.all(
      POSTGRES_SERVICE_NAMES.flatMap((service) =>
        STATE_TABLES[service].map(async (table) => {
          const [row] = await this.query<{ rows: string; hash: string }>(
            service,
            `select count(*) as rows, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as hash from ${pg.escapeIdentifier(table)} t`,
          );
          return [`${service}.${table}`, `${row?.rows} rows, ${row?.hash}`] as const;
        }),
      ),
    );
    return Object.fromEntries(entries);
  }

  /** Outbox rows not yet published, per service. */
  async outboxBacklog(): Promise<Record<PostgresService, number>> {
    const counts = await Promise.all(
      POSTGRES_SERVICE_NAMES.map(async (service) => {
        const [row] = await this.query<{ count: string }>(service, 'select count(*) from outbox');
        return [service, Number(row?.count)] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<PostgresService, number>;
  }

  /**
   * Payments orders has decided that payments' settler has not captured or voided yet: work that
   * follows the events (outside any outbox or stream), and changes `payments.payments` when done.
   */
  async unsettledPayments(): Promise<number> {
    const [row] = await this.query<{ count: string }>(
      'payments',
      `select count(*) from payments p join orders_replica o on o.id = p.order_id
        where p.status in ('authorized', 'requires_action') and o.status in ('complete', 'cancelled')`,
    );
    return Number(row?.count);
  }

  /** Every Postgres service's dead letters, replayed ones included (the same reader as `npm run dead-letters`). */
  async deadLetters(): Promise<DeadLetterRow[]> {
    const perService = await Promise.all(
      POSTGRES_SERVICE_NAMES.map(async (service) =>
        (await postgresDeadLetters(drizzle(this.pools[service])).list({ includeReplayed: true }))
          .reverse() // oldest first
          .map(({ consumer, eventType, eventId, error, deliveries }) => ({ service, consumer, eventType, eventId, error, deliveries })),
      ),
    );
    return perService.flat();
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((pool) => pool.end()));
  }
}

/** Which state tables differ between two digests. */
export const changedTables = (before: Record<string, string>, after: Record<string, string>): string[] =>
  Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);
