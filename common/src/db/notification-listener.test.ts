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
