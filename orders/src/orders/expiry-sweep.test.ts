import { randomUUID } from 'node:crypto';
import { outboxEvents } from '@microtick/common/testing';
import { insertOrder, insertTicket, readOrder, useOrdersListeners } from '../test-support';
import { EXPIRATION_FAIRNESS_WAIT_MS } from '../events/listeners/expiration-complete.listener';
import { sweepExpiredOrders } from './expiry-sweep';

const { database, harness } = useOrdersListeners();

const GRACE_SECONDS = 30;
const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);
const sweep = (caughtUp = true) => sweepExpiredOrders({ db: database().db, graceSeconds: GRACE_SECONDS, caughtUpWith: async () => caughtUp });

describe('the expiry sweep (backstop of the expiration timer)', () => {
  it.each(['created', 'awaiting:payment'] as const)('cancels a %s order past expiresAt + grace exactly like an expiration:complete', async (status) => {
    const ticket = await insertTicket(database().db);
    const order = await insertOrder(database().db, ticket, { status, expiresAt: secondsAgo(GRACE_SECONDS + 5) });

    expect(await sweep()).toBe(1);

    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toMatchObject([{ type: 'order:cancelled', data: { id: order.id, version: 1, ticket: { id: ticket.id } } }]);
  });

  it('leaves orders within the grace period, paid orders and cancelled orders alone', async () => {
    const recent = await insertOrder(database().db, await insertTicket(database().db), { expiresAt: secondsAgo(GRACE_SECONDS - 10) });
    const paid = await insertOrder(database().db, await insertTicket(database().db), { status: 'complete', version: 1, expiresAt: secondsAgo(3600) });
    const cancelled = await insertOrder(database().db, await insertTicket(database().db), { status: 'cancelled', version: 1, expiresAt: secondsAgo(3600) });

    expect(await sweep()).toBe(0);

    expect(await readOrder(database().db, recent.id)).toMatchObject({ status: 'created', version: 0 });
    expect(await readOrder(database().db, paid.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await readOrder(database().db, cancelled.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  it('lets authorizations published earlier be applied first, for at most the fairness wait', async () => {
    const recent = await insertOrder(database().db, await insertTicket(database().db), { expiresAt: secondsAgo(GRACE_SECONDS + 5) });
    expect(await sweep(false)).toBeUndefined();
    expect(await readOrder(database().db, recent.id)).toMatchObject({ status: 'created', version: 0 });
    expect(await outboxEvents(database().db)).toEqual([]);

    // Payments still behind, but this one is overdue by more than the fairness wait: cancelled anyway.
    const old = await insertOrder(database().db, await insertTicket(database().db), { expiresAt: secondsAgo(GRACE_SECONDS + EXPIRATION_FAIRNESS_WAIT_MS / 1000 + 5) });
    expect(await sweep(false)).toBe(1);
    expect(await readOrder(database().db, old.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await readOrder(database().db, recent.id)).toMatchObject({ status: 'created', version: 0 });
  });

  it('is idempotent with a late timer: the expiration:complete that follows changes nothing', async () => {
    const order = await insertOrder(database().db, await insertTicket(database().db), { expiresAt: secondsAgo(GRACE_SECONDS + 5) });
    await sweep();
    const late = await harness().publish('expiration:complete', { orderId: order.id });
    await harness().settled(late.type);
    expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await outboxEvents(database().db)).toHaveLength(1);
  });

  it('cancels each order once when several replicas sweep at the same time', async () => {
    const overdue = await Promise.all(
      Array.from({ length: 20 }, async () => insertOrder(database().db, await insertTicket(database().db), { expiresAt: secondsAgo(GRACE_SECONDS + 5 + Math.random()) })),
    );
    const rounds = await Promise.all(Array.from({ length: 4 }, () => sweep()));
    expect(rounds.reduce((sum, n) => (sum ?? 0) + (n ?? 0), 0)).toBe(20);
    const events = await outboxEvents(database().db);
    expect(events).toHaveLength(20);
    expect(new Set(events.map((e) => (e.data as { id: string }).id))).toEqual(new Set(overdue.map((o) => o.id)));
    for (const order of overdue) expect(await readOrder(database().db, order.id)).toMatchObject({ status: 'cancelled', version: 1 });
  });

  it('sweeps nothing when nothing is overdue, without asking how far payments are', async () => {
    let asked = false;
    await insertOrder(database().db, await insertTicket(database().db), { id: randomUUID() });
    const result = await sweepExpiredOrders({ db: database().db, graceSeconds: GRACE_SECONDS, caughtUpWith: async () => ((asked = true), true) });
    expect(result).toBe(0);
    expect(asked).toBe(false);
  });
});
