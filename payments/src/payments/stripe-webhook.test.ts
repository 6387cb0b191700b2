import { randomUUID } from 'node:crypto';
import { connectionOf } from '@microtick/common';
import { useServiceDatabase } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import type pg from 'pg';
import type Stripe from 'stripe';
import { migrationsFolder, payments, schema, type PaymentsDb, type PaymentStatus } from '../db/schema';
import { insertOrder } from '../test-support';
import { applyStripeEvent } from './stripe-webhook';

/** applyStripeEvent against the database alone: no Stripe call is made while applying an event. */
const database = useServiceDatabase({ name: 'payments', migrationsFolder, schema });

type Query = (...args: unknown[]) => Promise<unknown>;

const intentEvent = (type: string, stripeId: string, orderId: string) =>
  ({ id: `evt_${randomUUID()}`, object: 'event', type, data: { object: { id: stripeId, object: 'payment_intent', metadata: { orderId } } } }) as unknown as Stripe.Event;

/**
 * Runs `apply` and, from another connection, `interfere` the moment the event's transaction has
 * read the payment (its second read of `payments`, after the order row's lock): committed before
 * the transaction's next statement if nothing stops it, which READ COMMITTED allows; if it waits
 * for a lock of that transaction instead, it is let wait, and finishes after its commit.
 */
async function applyWhile<T>(apply: (tx: PaymentsDb) => Promise<T>, interfere: (client: pg.PoolClient) => Promise<unknown>): Promise<T> {
  const { db, pool } = database();
  const interferer = await pool.connect();
  let interference: Promise<unknown> | undefined;
  try {
    const { rows } = await interferer.query<{ pid: number }>('select pg_backend_pid() as pid');
    const interfererPid = rows[0]!.pid;
    const result = await db.transaction(async (tx) => {
      const connection = connectionOf(tx) as unknown as { query: Query };
      const query = connection.query;
      let paymentReads = 0;
      connection.query = async function (this: unknown, ...args: unknown[]) {
        const answer = await query.apply(this, args);
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
        if (text?.startsWith('select') && text.includes('from "payments"') && ++paymentReads === 2) {
          let settled = false;
          interference = interfere(interferer).finally(() => (settled = true));
          // Either it commits now, or it waits for this transaction's lock (and commits after it).
          while (!settled) {
            const waiting = await pool.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [interfererPid]);
            if (waiting.rowCount) break;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
        return answer;
      };
      try {
        return await apply(tx as unknown as PaymentsDb);
      } finally {
        connection.query = query;
      }
    });
    await interference;
    return result;
  } finally {
    interferer.release();
  }
}

const statusOf = async (paymentId: string): Promise<PaymentStatus> =>
  (await database().db.select({ status: payments.status }).from(payments).where(eq(payments.id, paymentId)))[0]!.status;

describe('applyStripeEvent with a settler writing the payment at the same time', () => {
  it('does not turn a payment the settler voided between its read and its write back into an authorization', async () => {
    const { db } = database();
    // The order was cancelled while its buyer was still on the 3-D Secure step: the settler voids the intent.
    const order = await insertOrder(database(), { status: 'cancelled', version: 1 });
    const stripeId = `pi_${randomUUID()}`;
    const [payment] = await db.insert(payments).values({ orderId: order.id, stripeId, amountCents: order.priceCents, status: 'requires_action', clientSecret: 'secret' }).returning();

    // The buyer finished the step just before the void reached Stripe: amount_capturable_updated
    // arrives while the settler records its void (settlePayment's last statement, no order lock).
    const outcome = await applyWhile(
      (tx) => applyStripeEvent(tx, intentEvent('payment_intent.amount_capturable_updated', stripeId, order.id)),
      (client) =>
        client.query(`update payments set status = 'voided', settled_at = now(), settling_until = null where id = $1 and status in ('authorized', 'requires_action')`, [
          payment!.id,
        ]),
    );

    expect(outcome).toBe('handled');
    // Stripe holds nothing (the intent is cancelled): "authorized" here was a hold that does not exist.
    expect(await statusOf(payment!.id)).toBe('voided');
  });
});
