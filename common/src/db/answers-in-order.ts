/**
 * The answers to statements sent together without waiting for each other (pipelined), in the
 * order they were sent. They run in that order in Postgres, so when one fails, those behind it
 * fail only because of it ("current transaction is aborted"): the first failure in sending order
 * is the one thrown. Every answer is awaited first, so no rejection is left unhandled.
 */
export async function answersInOrder<T extends readonly unknown[]>(statements: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const settled = await Promise.allSettled(statements);
  const failed = settled.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((answer) => (answer as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
