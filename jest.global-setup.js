/**
 * Names this jest run so its test databases never collide with another run's (a second
 * checkout, a second jest process, CI beside a developer) on the shared Postgres.
 * Workers inherit the variable; `createTestDatabase` puts it into every database name.
 */
const { randomBytes } = require('node:crypto');
const { dropTestDatabases } = require('./jest.test-databases');

module.exports = async () => {
  process.env.MT_TEST_RUN ??= `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  // Runs that crashed before their teardown leave databases behind: drop any older than a day.
  await dropTestDatabases((run) => Date.now() - parseInt(run.slice(0, -4), 36) > 24 * 3600_000).catch(() => undefined);
};
