import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ServiceMetrics } from './metrics';
import { createTestDatabase, type TestDatabase } from './testing';

let database: TestDatabase<Record<string, never>>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'metrics', migrationsFolder: path.join(__dirname, 'testing/fixture-migrations') });
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

const deadLetter = (consumer: string, replayed = false) =>
  database.pool.query(
    `insert into dead_letters (consumer, subject, event_type, event_id, payload, error, deliveries, replayed_at) values ($1, 'order.created', 'order:created', $2, '{}', 'boom', 10, $3)`,
    [consumer, randomUUID(), replayed ? new Date() : null],
  );

test('dead letters not yet replayed and the outbox backlog are read from the database at each scrape', async () => {
  const metrics = new ServiceMetrics('test');
  metrics.readFromDatabase(database.pool);
  await deadLetter('payments-order-created');
  await deadLetter('payments-order-created');
  await deadLetter('payments-order-created', true);
  await deadLetter('payments-order-cancelled');
  await database.pool.query(`insert into outbox (msg_id, event_type, payload) values ($1, 'order:created', '{}'), ($2, 'order:created', '{}')`, [randomUUID(), randomUUID()]);

  const text = await metrics.registry.metrics();
  expect(text).toContain('dead_letters{consumer="payments-order-created",service="test"} 2');
  expect(text).toContain('dead_letters{consumer="payments-order-cancelled",service="test"} 1');
  expect(text).toContain('outbox_pending_rows{service="test"} 2');

  await database.pool.query(`update dead_letters set replayed_at = now()`);
  await database.pool.query(`delete from outbox`);
  const after = await metrics.registry.metrics();
  expect(after).not.toMatch(/^dead_letters\{/m);
  expect(after).toContain('outbox_pending_rows{service="test"} 0');
});
