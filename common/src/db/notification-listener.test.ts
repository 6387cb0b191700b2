import path from 'node:path';
import { NotificationListener } from './notification-listener';
import { createTestDatabase, silentLogger, waitFor, type TestDatabase } from '../testing';

let database: TestDatabase<Record<string, never>>;
beforeAll(async () => {
  database = await createTestDatabase({ name: 'notify', migrationsFolder: path.join(__dirname, '../testing/fixture-migrations') });
});
afterAll(() => database.close());

test('hears NOTIFYs, and listens again after its connection is killed', async () => {
  let heard = 0;
  const listener = new NotificationListener({ pool: database.pool, channel: 'mt_test_channel', logger: silentLogger, onNotify: () => heard++, retryMs: 50 });
  await listener.start();
  try {
    await database.pool.query(`notify mt_test_channel`);
    await waitFor(() => heard === 1, { what: 'the first notification' });

    const killed = await database.pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen mt_test_channel' and datname = current_database()`);
    expect(killed.rowCount).toBe(1);
    // Once a new connection listens, notifications arrive again.
    await waitFor(
      async () => {
        await database.pool.query(`notify mt_test_channel`);
        return heard > 1;
      },
      { what: 'a notification after the reconnect', intervalMs: 100 },
    );
  } finally {
    await listener.stop();
  }
});

test('passes each payload, and says when it listens again so callers read what they missed', async () => {
  const payloads: string[] = [];
  let relistened = 0;
  const listener = new NotificationListener({
    pool: database.pool,
    channel: 'mt_test_payloads',
    logger: silentLogger,
    onNotify: (payload) => payloads.push(payload),
    onRelisten: () => relistened++,
    retryMs: 50,
  });
  expect(await listener.start()).toBe(true);
  try {
    await database.pool.query(`select pg_notify('mt_test_payloads', 'order-1')`);
    await database.pool.query(`notify mt_test_payloads`);
    await waitFor(() => payloads.length === 2, { what: 'both notifications' });
    expect(payloads).toEqual(['order-1', '']);
    expect(relistened).toBe(0);

    await database.pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen mt_test_payloads' and datname = current_database()`);
    await waitFor(() => relistened === 1, { what: 'listening again' });
  } finally {
    await listener.stop();
  }
});
