import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { runLoad, statusCounts } from './load';

/** A signed-up user and the `Cookie` header that carries their session. */
export interface Session {
  id: string;
  email: string;
  cookie: string;
}

/** Signs up `count` users through the gateway, `concurrency` at a time (scrypt makes each one slow on purpose). */
export async function signUpUsers(baseUrl: string, count: number, concurrency = 8): Promise<Session[]> {
  const sessions: Session[] = [];
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const email = `bench-${run}-${next++}@example.com`;
      sessions.push(await signUp(baseUrl, email));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return sessions;
}

async function signUp(baseUrl: string, email: string): Promise<Session> {
  const response = await fetch(`${baseUrl}/api/users/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { id: string; email: string };
  const cookie = response.headers.getSetCookie().map((header) => header.split(';')[0]).find((pair) => pair?.startsWith('session='));
  if (response.status !== 201 || !cookie) throw new Error(`sign-up failed with ${response.status}: ${JSON.stringify(body)}`);
  return { id: body.id, email: body.email, cookie };
}

/**
 * Lists `count` tickets through the gateway as `seller`, at `ratePerSecond` when given (else as
 * fast as the service answers), and returns their ids in creation order.
 */
export async function createTickets(baseUrl: string, seller: Session, count: number, options: { ratePerSecond?: number; connections?: number } = {}): Promise<string[]> {
  const ids: (string | undefined)[] = new Array(count);
  const result = await runLoad({
    url: `${baseUrl}/api/tickets`,
    method: 'POST',
    connections: options.connections ?? 20,
    amount: count,
    overallRate: options.ratePerSecond,
    maxSeconds: 60 + count / (options.ratePerSecond ?? 50),
    request: (index) => ({
      headers: { 'content-type': 'application/json', cookie: seller.cookie },
      body: JSON.stringify({ title: `Bench ticket ${index}`, price: 10 + (index % 90) + 0.99 }),
    }),
    onResponse: (index, status, body) => {
      if (status === 201) ids[index] = (JSON.parse(body) as { id: string }).id;
    },
  });
  const created = ids.filter((id): id is string => id !== undefined);
  if (created.length !== count) throw new Error(`listing ${count} tickets gave ${statusCounts(result)} and ${result.errors} errors`);
  return created;
}

/** Waits until orders' replica holds every one of `ids` (orders answers 404 for a ticket it has not heard of). */
export async function waitUntilReplicated(ordersDb: pg.Pool, ids: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await ordersDb.query<{ count: number }>('select count(*)::int as count from tickets_replica where id = any($1::uuid[])', [ids]);
    const count = rows[0]?.count ?? 0;
    if (count === ids.length) return;
    if (Date.now() > deadline) throw new Error(`orders has ${count} of ${ids.length} tickets after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** Round-robin over users: the n-th request's buyer. */
export const buyerFor = (buyers: readonly Session[], index: number): Session => buyers[index % buyers.length] as Session;
