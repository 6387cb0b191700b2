import { randomUUID } from 'node:crypto';
import { connectionOf } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { insertOrder, insertTicket, readOrder, useOrdersDatabase } from '../test-support';
import { cancelOrderById, completeOrderById } from './transitions';

const database = useOrdersDatabase();

type Query = (...args: unknown[]) => Promise<unknown>;

/**
 * Runs `decide` in a transaction and commits, from another connection, an order inserted
 * before it looked: the insert is uncommitted while the decision's conditional UPDATE runs
 * (which therefore matches nothing) and committed as soon as that UPDATE has answered, before
 * the decision's next statement — the interleaving READ COMMITTED allows.
 */
async function decideWhileOrderIsInserted<T>(updateName: string, orderId: string, decide: (tx: OrdersDb) => Promise<T>): Promise<T> {
  const { db, pool } = database();
  const ticket = await insertTicket(db);
  const inserter = await pool.connect();
  try {
    await inserter.query('begin');
    await inserter.query(`insert into orders (id, user_id, ticket_id, status, price_cents, expires_at) values ($1, $2, $3, 'created', $4, now() + interval '15 minutes')`, [
      orderId,
      randomUUID(),
      ticket.id,
      ticket.priceCents,
    ]);
    return await db.transaction(async (tx) => {
      const connection = connectionOf(tx) as unknown as { query: Query };
      const query = connection.query;
      connection.query = async function (this: unknown, ...args: unknown[]) {
        const answer = await query.apply(this, args);
        if ((args[0] as { name?: string } | undefined)?.name === updateName) await inserter.query('commit');
        return answer;
      };
      try {
        return await decide(tx as unknown as OrdersDb);
      } finally {
        connection.query = query;
      }
    });
  } finally {
    inserter.release();
  }
}

describe('deciding an order by id', () => {
  it('does not report a payment decision on an order committed between its UPDATE and its read: not there yet, so the payment is retried', async () => {
    const orderId = randomUUID();
    const result = await decideWhileOrderIsInserted('orders_complete_unpaid_by_id', orderId, (tx) => completeOrderById(tx, orderId, { id: randomUUID() }));
    // "Left alone" here acknowledged the payment without completing the order.
    expect(result).toBeUndefined();
    expect(await readOrder(database().db, orderId)).toMatchObject({ status: 'created' });
    expect(await completeOrderById(database().db, orderId, { id: randomUUID() })).toMatchObject({ order: { status: 'complete' }, changed: true });
  });

  it('does not report an expiry as done on an order committed between its UPDATE and its read', async () => {
    const orderId = randomUUID();
    const result = await decideWhileOrderIsInserted('orders_cancel_unpaid_by_id', orderId, (tx) => cancelOrderById(tx, orderId));
    expect(result).toBeUndefined();
    expect(await readOrder(database().db, orderId)).toMatchObject({ status: 'created' });
  });

  it('reports an order decided before as left alone', async () => {
    const { db } = database();
    const paid = await insertOrder(db, await insertTicket(db), { status: 'complete', version: 1 });
    expect(await cancelOrderById(db, paid.id)).toMatchObject({ order: { status: 'complete' }, changed: false });
    expect(await completeOrderById(db, paid.id, { id: randomUUID() })).toMatchObject({ order: { status: 'complete' }, changed: false });
    expect(await completeOrderById(db, randomUUID(), { id: randomUUID() })).toBeUndefined();
  });
});
