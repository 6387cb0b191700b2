import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../testing';
import { purgeProcessedEvents } from './retention';

let database: TestDatabase<Record<string, never>>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'common', migrationsFolder: path.join(__dirname, '../testing/fixture-migrations') });
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

it('forgets processed events older than the retention period and keeps recent ones', async () => {
  const old = randomUUID();
  const recent = randomUUID();
  await database.pool.query(
    `insert into processed_events (consumer, event_id, processed_at) values ('c', $1, now() - interval '31 days'), ('c', $2, now() - interval '29 days')`,
    [old, recent],
  );
  expect(await purgeProcessedEvents(database.pool, 30)).toBe(1);
  const { rows } = await database.pool.query<{ event_id: string }>('select event_id from processed_events');
  expect(rows.map((r) => r.event_id)).toEqual([recent]);
});
