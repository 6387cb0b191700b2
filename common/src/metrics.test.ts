import path from 'node:path';
import { spawnSync } from 'node:child_process';
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

test('an idle process with the metrics set up is not woken a hundred times a second', () => {
  // prom-client's default event-loop sampling (every 10 ms) woke every idle service ~100 times a
  // second. Counted as the main thread's voluntary context switches over two idle seconds, in a
  // fresh process running the compiled module as a service does.
  const script = `
    const { ServiceMetrics } = require(${JSON.stringify(path.resolve(__dirname, '../dist/metrics.js'))});
    const switches = () => Number(/voluntary_ctxt_switches:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]);
    const metrics = new ServiceMetrics('idle');
    setTimeout(() => {
      const before = switches();
      setTimeout(() => { console.log(switches() - before); void metrics; }, 2000);
    }, 300);
  `;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  // A number must have been printed: an empty output would read as 0 wake-ups and pass.
  expect(result.stdout.trim()).toMatch(/^\d+$/);
  expect(Number(result.stdout)).toBeLessThan(60);
});
