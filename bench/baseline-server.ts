/**
 * The baseline every figure is printed next to: a bare Express 5 app in its own process whose
 * routes each run one Postgres statement — the one at the heart of the MicroTick path being
 * measured — on databases migrated with the services' own migrations (same tables, same
 * indexes). No session, validation, logging, transaction or events: the floor that Express,
 * node-postgres and Postgres set on this machine. The bench starts it (baseline.ts) and reads
 * `{"port": n}` from its first line of output.
 *
 *   ORDERS_DATABASE_URL, TICKETS_DATABASE_URL  the baseline's own databases
 *   DATABASE_POOL_SIZE                         as the services' (10)
 */
import express from 'express';
import pg from 'pg';
import type { AddressInfo } from 'node:net';

const poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 10);
const ordersDb = new pg.Pool({ connectionString: process.env.ORDERS_DATABASE_URL, max: poolSize });
const ticketsDb = new pg.Pool({ connectionString: process.env.TICKETS_DATABASE_URL, max: poolSize });

const UNIQUE_VIOLATION = '23505';

/**
 * `pool.query` closes the connection on any error, a refused duplicate included, and the next
 * query pays for a new one (TCP + SCRAM: ~7 ms here). The services run their writes in
 * transactions on checked-out clients, which survive such errors; so does the baseline.
 */
async function query<Row extends pg.QueryResultRow>(pool: pg.Pool, text: string, params: unknown[]): Promise<pg.QueryResult<Row>> {
  const client = await pool.connect();
  try {
    return await client.query<Row>(text, params);
  } finally {
    client.release();
  }
}

const app = express();
app.use(express.json());

/** The INSERT of POST /api/orders; the partial unique index refuses a second live order for a ticket. */
app.post('/orders', async (req, res) => {
  const { ticketId, userId } = req.body as { ticketId: string; userId: string };
  try {
    const { rows } = await query(
      ordersDb,
      // Still one statement: the order keeps the replica's price (orders.price_cents, NOT NULL since the payment decision).
      `insert into orders (user_id, ticket_id, status, price_cents, expires_at)
       select $1, id, 'created', price_cents, now() + interval '15 minutes' from tickets_replica where id = $2 returning *`,
      [userId, ticketId],
    );
    res.status(201).json(rows[0]);
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    res.status(400).json({ errors: [{ message: 'Ticket is already reserved' }] });
  }
});

/** The INSERT the orders replica makes for ticket:created. */
app.post('/replica-tickets', async (req, res) => {
  const { id, title, priceCents, userId } = req.body as { id: string; title: string; priceCents: number; userId: string };
  await query(ordersDb, 'insert into tickets_replica (id, title, price_cents, user_id, version) values ($1, $2, $3, $4, 0) on conflict do nothing', [id, title, priceCents, userId]);
  res.status(201).json({ id });
});

/** The SELECT of GET /api/tickets (first page, newest first, unreserved only). */
app.get('/tickets', async (_req, res) => {
  const { rows } = await query<{ id: string; title: string; price_cents: number; user_id: string; version: number; order_id: string | null }>(
    ticketsDb,
    'select id, title, price_cents, user_id, version, order_id from tickets where order_id is null order by created_at desc, id desc limit 50 offset 0',
    [],
  );
  res.json(rows.map((row) => ({ id: row.id, title: row.title, price: row.price_cents / 100, userId: row.user_id, version: row.version, orderId: row.order_id })));
});

/** The UPDATE that puts a ticket back on sale when its order lapses. */
app.post('/tickets/:id/release', async (req, res) => {
  await query(ticketsDb, 'update tickets set order_id = null, version = version + 1 where id = $1 and order_id is not null', [req.params.id]);
  res.status(204).end();
});

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([ordersDb.end(), ticketsDb.end()]).then(() => process.exit(0));
});
