import { randomUUID } from 'node:crypto';
import { runMigrations } from '@microtick/common';
import { createTestDatabase, migrationsUpTo, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder } from './schema';

let database: TestDatabase<Record<string, never>>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'tickets_migrations', migrationsFolder: migrationsUpTo(migrationsFolder, '0002_waitlist_offer_hold') });
});
afterAll(() => database.close());

it('renames order_replicas to orders_replica keeping its rows (0003)', async () => {
  const id = randomUUID();
  await database.pool.query(`insert into order_replicas (id, ticket_id, status, version) values ($1, $2, 'complete', 1)`, [id, randomUUID()]);
  await runMigrations(database.pool, migrationsFolder);
  const { rows } = await database.pool.query('select status, version from orders_replica where id = $1', [id]);
  expect(rows).toEqual([{ status: 'complete', version: 1 }]);
});
