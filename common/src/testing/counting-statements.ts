import pg from 'pg';

/** Counts the statements matching `pattern` this process sends to Postgres while `run` runs (pg's client, observed). */
export async function countingStatements<T>(pattern: RegExp, run: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = client.query;
  let statements = 0;
  client.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0];
    const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
    if (text && pattern.test(text)) statements += 1;
    return original.apply(this, args);
  };
  try {
    return { result: await run(), statements };
  } finally {
    client.query = original;
  }
}
