import { randomUUID } from 'node:crypto';
import { runMigrations } from '@microtick/common';
import { createTestDatabase, migrationsUpTo, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder } from './schema';

let database: TestDatabase<Record<string, never>>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'payments_migrations', migrationsFolder: migrationsUpTo(migrationsFolder, '0001_authorizations') });
});
afterAll(() => database.close());

it('renames orders to orders_replica keeping its rows (0002)', async () => {
  const id = randomUUID();
  await database.pool.query(
    `insert into orders (id, version, status, user_id, expires_at, price_cents, completed_by_payment_id) values ($1, 2, 'complete', $2, now(), 1999, $3)`,
    [id, randomUUID(), randomUUID()],
  );
  await runMigrations(database.pool, migrationsFolder);
  const { rows } = await database.pool.query('select status, version, price_cents from orders_replica where id = $1', [id]);
  expect(rows).toEqual([{ status: 'complete', version: 2, price_cents: 1999 }]);
  const { rows: constraints } = await database.pool.query(`select conname from pg_constraint where conrelid = 'orders_replica'::regclass and contype = 'p'`);
  expect(constraints).toEqual([{ conname: 'orders_replica_pkey' }]);
});
