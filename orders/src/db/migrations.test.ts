import { randomUUID } from 'node:crypto';
import { runMigrations } from '@microtick/common';
import { createTestDatabase, migrationsUpTo, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder } from './schema';

let database: TestDatabase<Record<string, never>>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'orders_migrations', migrationsFolder: migrationsUpTo(migrationsFolder, '0004_waitlist') });
});
afterAll(() => database.close());

it('renames the ticket replica to tickets_replica keeping its rows and the orders that refer to them (0005)', async () => {
  const ticketId = randomUUID();
  await database.pool.query(`insert into tickets (id, title, price_cents, user_id, version) values ($1, 'Kept', 1999, $2, 3)`, [ticketId, randomUUID()]);
  await database.pool.query(`insert into orders (user_id, ticket_id, status, price_cents, expires_at) values ($1, $2, 'created', 1999, now())`, [randomUUID(), ticketId]);
  await runMigrations(database.pool, migrationsFolder);
  const { rows } = await database.pool.query(
    'select t.title, t.version, count(o.id)::int as orders from tickets_replica t join orders o on o.ticket_id = t.id where t.id = $1 group by t.id',
    [ticketId],
  );
  expect(rows).toEqual([{ title: 'Kept', version: 3, orders: 1 }]);
  // The foreign keys follow the renamed table: an order for an unknown ticket is still refused.
  await expect(
    database.pool.query(`insert into orders (user_id, ticket_id, status, price_cents, expires_at) values ($1, $2, 'created', 1, now())`, [randomUUID(), randomUUID()]),
  ).rejects.toThrow(/orders_ticket_id_tickets_replica_id_fk/);
});
