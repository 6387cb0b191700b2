/** Test databases are named `mt_test_<run>_<name>_<worker>`; this drops those whose run matches. */
const pg = require('pg');

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://microtick:microtick@127.0.0.1:5432';

async function dropTestDatabases(matchesRun) {
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  try {
    const { rows } = await admin.query(`select datname from pg_database where datname ~ '^mt_test_[0-9a-z]{12,}_'`);
    const doomed = rows.map((row) => row.datname).filter((name) => matchesRun(name.split('_')[2]));
    // One at a time: a pg client runs one query at a time anyway (queuing them is deprecated).
    for (const name of doomed) await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await admin.end();
  }
}

module.exports = { dropTestDatabases };
