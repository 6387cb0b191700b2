import { outboxEvents, silentLogger, waitFor } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { paymentAttempts, payments, type OrderReplica } from '../db/schema';
import { insertOrder, usePaymentsFixture } from '../test-support';
import { settleLapsedAttempts, startAttemptSweeper } from './attempt-sweeper';
import { finishAttempt } from './payment-attempts';
import type { PaymentDeps } from './settle-attempt';
import { paymentIdempotencyKey, paymentIntentParams } from './stripe-requests';

const fx = usePaymentsFixture();
let deps: PaymentDeps;
beforeAll(async () => {
  deps = { db: fx.database.db, stripe: fx.stripe, attemptLeaseMs: 60_000, logger: silentLogger };
});

/** What a request that died mid-authorization leaves: a pending attempt whose lease ran out, and maybe an authorization. */
async function crashedAttempt(order: OrderReplica, card: string, options: { charged: boolean; lockedUntil?: Date }) {
  await fx.database.db.insert(paymentAttempts).values({ orderId: order.id, paymentMethod: card, lockedUntil: options.lockedUntil ?? new Date(Date.now() - 1) });
  if (!options.charged) return undefined;
  return fx.stripe.paymentIntents.create(paymentIntentParams(order, card), { idempotencyKey: paymentIdempotencyKey(order.id, card) });
}
const attemptsOf = (orderId: string) => fx.database.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));

describe('settling lapsed payment attempts', () => {
  it('records an authorization Stripe made for a request that died, once, and stages payment:created', async () => {
    const order = await insertOrder(fx.database);
    const intent = await crashedAttempt(order, 'tok_visa', { charged: true });

    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(1);
    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(0);

    expect(await fx.database.db.select().from(payments)).toMatchObject([{ orderId: order.id, stripeId: intent!.id, amountCents: 1999, status: 'authorized' }]);
    expect(await outboxEvents(fx.database.db)).toMatchObject([{ type: 'payment:created', data: { orderId: order.id, stripeId: intent!.id } }]);
    expect(await attemptsOf(order.id)).toMatchObject([{ status: 'succeeded', stripeId: intent!.id }]);
    expect(await fx.charges(order.id)).toHaveLength(1);
  });

  it('voids such an authorization when the order was cancelled meanwhile, without staging payment:created', async () => {
    const order = await insertOrder(fx.database, { status: 'cancelled', version: 1 });
    await crashedAttempt(order, 'tok_visa', { charged: true });
    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(1);
    expect(await fx.database.db.select().from(payments)).toMatchObject([{ status: 'voided' }]);
    expect(await fx.charges(order.id)).toMatchObject([{ voided: true, captured: false }]);
    expect(await outboxEvents(fx.database.db)).toEqual([]);
  });

  it('ends a declined one so the order can be paid again', async () => {
    const order = await insertOrder(fx.database);
    await crashedAttempt(order, 'tok_chargeDeclined', { charged: false });

    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(1);
    expect(await attemptsOf(order.id)).toMatchObject([{ status: 'declined', failure: 'Your card was declined.' }]);
  });

  it('never keeps a second authorization for an order: one that finds another recorded is voided', async () => {
    const order = await insertOrder(fx.database);
    // Only reachable if the guards before authorizing failed; the live-payment index still holds.
    await fx.database.db.insert(payments).values({ orderId: order.id, stripeId: 'pi_recorded_earlier', amountCents: 1999, status: 'authorized' });
    const intent = await crashedAttempt(order, 'tok_visa', { charged: true });

    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(1);

    expect(await fx.database.db.select().from(payments)).toMatchObject([{ stripeId: 'pi_recorded_earlier' }]);
    expect(await fx.charges(order.id)).toMatchObject([{ paymentIntentId: intent!.id, voided: true }]);
    expect(await outboxEvents(fx.database.db)).toEqual([]);
  });

  it("keeps an attempt's first outcome: a request that outlived its lease cannot overwrite what the sweeper recorded", async () => {
    const order = await insertOrder(fx.database);
    const intent = await crashedAttempt(order, 'tok_visa', { charged: true });
    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(1);
    const [attempt] = await attemptsOf(order.id);

    await finishAttempt(fx.database.db, attempt!.id, { status: 'declined', failure: 'a late answer' });

    expect(await attemptsOf(order.id)).toMatchObject([{ status: 'succeeded', stripeId: intent!.id, failure: null }]);
  });

  it('leaves attempts whose lease is still running alone', async () => {
    const order = await insertOrder(fx.database);
    await crashedAttempt(order, 'tok_visa', { charged: false, lockedUntil: new Date(Date.now() + 60_000) });

    expect(await settleLapsedAttempts(deps, silentLogger)).toBe(0);
    expect(await attemptsOf(order.id)).toMatchObject([{ status: 'pending' }]);
    expect(await fx.charges(order.id)).toEqual([]);
  });

  it('runs on an interval until stopped', async () => {
    const order = await insertOrder(fx.database);
    await crashedAttempt(order, 'tok_visa', { charged: true });
    const stop = startAttemptSweeper(deps, silentLogger, 20);
    try {
      await waitFor(async () => (await attemptsOf(order.id))[0]?.status === 'succeeded', { what: 'swept' });
    } finally {
      await stop();
    }
  });
});
