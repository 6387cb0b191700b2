/** The orders service's test support: its data builders, wired on common's harness (@microtick/common/testing). */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { createTestDatabase, startListenerHarness, useListenerHarness, useServiceDatabase, waitFor, type ListenerHarness, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder, orders, schema, ticketsReplica, type OrderRow, type OrdersDb, type TicketRow } from './db/schema';
import { listeners } from './events/listeners';

export type OrdersTestDatabase = TestDatabase<typeof schema>;

/** This worker's migrated orders database, for files that manage it themselves (or share it with system tests). */
export const createOrdersTestDatabase = (): Promise<OrdersTestDatabase> => createTestDatabase({ name: 'orders', migrationsFolder, schema });

/** This worker's migrated orders database for a whole test file, emptied before each test. */
export const useOrdersDatabase = () => useServiceDatabase({ name: 'orders', migrationsFolder, schema });

/** The service's listeners on a private stream, through the real runner. */
export const startOrdersListeners = (db: OrdersDb): Promise<ListenerHarness> => startListenerHarness({ service: 'orders', db, listeners });

/** A ticket in the replica, as if its `ticket:created` had been applied. */
export async function insertTicket(db: OrdersDb, overrides: Partial<typeof ticketsReplica.$inferInsert> = {}): Promise<TicketRow> {
  const [ticket] = await db
    .insert(ticketsReplica)
    .values({ id: randomUUID(), title: 'Concert', priceCents: 2_000, userId: randomUUID(), version: 0, ...overrides })
    .returning();
  if (!ticket) throw new Error('no ticket inserted');
  return ticket;
}

/** An order for `ticket`, written straight to the table (no event). */
export async function insertOrder(db: OrdersDb, ticket: TicketRow, overrides: Partial<typeof orders.$inferInsert> = {}): Promise<OrderRow> {
  const [order] = await db
    .insert(orders)
    .values({ userId: randomUUID(), ticketId: ticket.id, status: 'created', priceCents: ticket.priceCents, expiresAt: new Date(Date.now() + 900_000), ...overrides })
    .returning();
  if (!order) throw new Error('no order inserted');
  return order;
}

/**
 * A deterministic race: holds a lock on the order's row from another connection, then starts
 * the contenders one by one, each only once the previous one is blocked writing that row. So
 * every contender reads the order before any can change it, and they write in the order given
 * (Postgres queues lock waiters first come, first served).
 */
export async function raceOnOrder<T>(
  database: OrdersTestDatabase,
  orderId: string,
  contenders: (() => PromiseLike<T>)[],
  /** Runs while every contender is blocked, before the row is released. */
  whileHeld?: () => Promise<unknown>,
): Promise<T[]> {
  const holder = await database.pool.connect();
  const blocked = async () => {
    const { rows } = await database.pool.query<{ count: number }>(
      `select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    return rows[0]?.count ?? 0;
  };
  try {
    await holder.query('begin');
    await holder.query('select 1 from orders where id = $1 for update', [orderId]);
    const racing: Promise<T>[] = [];
    for (const contender of contenders) {
      // Promise.resolve subscribes at once, which is what starts a lazy supertest request.
      racing.push(Promise.resolve(contender()));
      await waitFor(async () => (await blocked()) === racing.length, { what: `contender ${racing.length} blocked on order ${orderId}` });
    }
    await whileHeld?.();
    await holder.query('commit');
    return await Promise.all(racing);
  } finally {
    holder.release();
  }
}

export async function readOrder(db: OrdersDb, id: string): Promise<OrderRow | undefined> {
  const [order] = await db.select().from(orders).where(eq(orders.id, id));
  return order;
}

export async function readTicket(db: OrdersDb, id: string): Promise<TicketRow | undefined> {
  const [ticket] = await db.select().from(ticketsReplica).where(eq(ticketsReplica.id, id));
  return ticket;
}

/**
 * The usual listener-test setup: a migrated database emptied before each test and the orders
 * listeners running on a private stream. Call at the top of a test file.
 */
export function useOrdersListeners() {
  const database = useOrdersDatabase();
  const harness = useListenerHarness({ service: 'orders', database, listeners });
  return { database, harness };
}
