/** Drops the databases this jest run created (see jest.global-setup.js). */
const { dropTestDatabases } = require('./jest.test-databases');

module.exports = async () => {
  const run = process.env.MT_TEST_RUN;
  if (run) await dropTestDatabases((candidate) => candidate === run);
};
