import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eq } from 'drizzle-orm';
import { outboxEvents, sessionCookie, waitFor } from '@microtick/common/testing';
import { orders, type OrdersDb } from '../db/schema';
import { waitlistEntries } from '../db/waitlist-schema';
import { cancelOrder, completeOrderById } from '../orders/transitions';
import { insertOrder, insertTicket, testApp, useOrdersDatabase } from '../test-support';
import { lapseOffer, OFFERED_TO_SOMEONE_ELSE, offerToNextInLine } from './offers';

const database = useOrdersDatabase();

function setup() {
  const app = testApp(database().db, { offerWindowSeconds: 300 });
  const as = (user = { id: randomUUID() }) => {
    const cookie = sessionCookie(user);
    return {
      id: user.id,
      order: (ticketId: string) => request(app).post('/api/orders').set('Cookie', cookie).send({ ticketId }),
      join: (ticketId: string) => request(app).post('/api/orders/waitlist').set('Cookie', cookie).send({ ticketId }),
      entries: async () => (await request(app).get('/api/orders/waitlist').set('Cookie', cookie)).body as { status: string; position: number }[],
    };
  };
  return { as };
}

/** Backends of this database waiting for a lock: a contender is "blocked" once counted here. */
async function blockedOnLocks(): Promise<number> {
  const { rows } = await database().pool.query<{ count: number }>(
    `select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return rows[0]?.count ?? 0;
}

/**
 * Runs `change` in a transaction and keeps it open (its locks held, its writes uncommitted)
 * while the contenders start one by one, each only once the previous one is blocked; then
 * commits and returns what the contenders got. So they meet the change inside its window.
 */
type Tx = Parameters<Parameters<OrdersDb['transaction']>[0]>[0];
async function whileUncommitted<T>(change: (tx: Tx) => Promise<unknown>, contenders: (() => PromiseLike<T>)[], thenBeforeCommit?: (tx: Tx) => Promise<unknown>): Promise<T[]> {
  let commit!: () => void;
  const committed = new Promise<void>((resolve) => (commit = resolve));
  let changed!: () => void;
  const hasChanged = new Promise<void>((resolve) => (changed = resolve));
  const transaction = database().db.transaction(async (tx) => {
    await change(tx);
    changed();
    await committed;
    await thenBeforeCommit?.(tx);
  });
  await hasChanged;
  const racing: Promise<T>[] = [];
  for (const contender of contenders) {
    racing.push(Promise.resolve(contender()));
    await waitFor(async () => (await blockedOnLocks()) === racing.length, { what: `contender ${racing.length} blocked` });
  }
  commit();
  await transaction;
  return Promise.all(racing);
}

describe('waiting-list offers', () => {
  it('refuses strangers who order between the end of the reservation and the start of the offer, in the same transaction', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const [first, stranger] = [as(), as()];
    await first.join(ticket.id);

    // The two steps of cancelOrder, with the stranger's order arriving between them: its insert
    // waits for the cancellation's commit, after which the offer exists. A guard that read the
    // offer before inserting would read "none" there (and deadlock with, or beat, the offer).
    const [strangers] = await whileUncommitted(
      (tx) => tx.update(orders).set({ status: 'cancelled', version: 1 }).where(eq(orders.id, holder.id)),
      [() => stranger.order(ticket.id)],
      (tx) => offerToNextInLine(tx, ticket.id),
    );

    expect(strangers!.body).toEqual({ errors: [{ message: OFFERED_TO_SOMEONE_ELSE }] });
    expect(await first.entries()).toMatchObject([{ status: 'offered' }]);
  });

  it('starts the offer in the transaction that ends the reservation: others who order inside it are refused', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const [first, second, stranger] = [as(), as(), as()];
    await first.join(ticket.id);
    await second.join(ticket.id);

    // Both orders arrive while the cancellation is uncommitted: each waits on the live order's
    // index entry, then finds the offer. A guard that read the offer before inserting would have
    // read "no offer" and let one of them in.
    const [strangers, seconds] = await whileUncommitted((tx) => cancelOrder(tx, holder), [() => stranger.order(ticket.id), () => second.order(ticket.id)]);

    for (const refused of [strangers!, seconds!]) {
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ errors: [{ message: OFFERED_TO_SOMEONE_ELSE }] });
    }
    const firsts = await first.order(ticket.id);
    expect(firsts.status).toBe(201);
    expect(await first.entries()).toMatchObject([{ status: 'ended', position: 1 }]);
    expect(await second.entries()).toMatchObject([{ status: 'waiting', position: 1 }]);
    const events = (await outboxEvents(database().db)).map((e) => [e.type, (e.data as { version?: number }).version]);
    expect(events).toEqual([
      ['order:cancelled', 1],
      ['order:waitlist-offered', 1],
      ['order:waitlist-offer-ended', 2],
      ['order:created', 0],
    ]);
  });

  it('gives the ticket to the offered user when they and a stranger order inside the transaction that starts the offer', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const [first, stranger] = [as(), as()];
    await first.join(ticket.id);

    const [strangers, firsts] = await whileUncommitted((tx) => cancelOrder(tx, holder), [() => stranger.order(ticket.id), () => first.order(ticket.id)]);

    expect(firsts!.status).toBe(201);
    // Refused either way: by the offer if it went first, by the offered user's order if not.
    expect(strangers!.status).toBe(400);
    expect([OFFERED_TO_SOMEONE_ELSE, 'Ticket is already reserved']).toContain(strangers!.body.errors[0].message);
  });

  it('refuses a stranger who orders while an unused offer is passing to the next in line', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const [first, second, stranger] = [as(), as(), as()];
    await first.join(ticket.id);
    await second.join(ticket.id);
    await database().db.transaction((tx) => cancelOrder(tx, holder));
    await database().db.update(waitlistEntries).set({ offerExpiresAt: new Date(Date.now() - 1_000) }).where(eq(waitlistEntries.userId, first.id));
    const [offer] = await database().db.select().from(waitlistEntries).where(eq(waitlistEntries.userId, first.id));

    const [strangers] = await whileUncommitted((tx) => lapseOffer(tx, offer!.id), [() => stranger.order(ticket.id)]);

    expect(strangers!.body).toEqual({ errors: [{ message: OFFERED_TO_SOMEONE_ELSE }] });
    expect(await second.entries()).toMatchObject([{ status: 'offered', position: 1 }]);
    // The first's offer is over: their order is someone else's offer now.
    expect((await first.order(ticket.id)).body).toEqual({ errors: [{ message: OFFERED_TO_SOMEONE_ELSE }] });
  });

  it('refuses the offered user once the offer is past its deadline, though it has not passed on yet', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const first = as();
    await first.join(ticket.id);
    await database().db.transaction((tx) => cancelOrder(tx, holder));
    await database().db.update(waitlistEntries).set({ offerExpiresAt: new Date(Date.now() - 1_000) });

    expect((await first.order(ticket.id)).body).toEqual({ errors: [{ message: 'Your offer for this ticket has expired' }] });
    expect((await as().order(ticket.id)).body).toEqual({ errors: [{ message: OFFERED_TO_SOMEONE_ELSE }] });
  });

  it('lets a join that meets the end of the reservation land on one side of it: in line for the offer, or refused', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const late = as();
    // Nobody else is in line: the cancellation puts the ticket on sale, so the join that waited
    // for it must not leave a waiting entry behind for a ticket that is not reserved.
    const [joined] = await whileUncommitted((tx) => cancelOrder(tx, holder), [() => late.join(ticket.id)]);
    expect(joined!.body).toEqual({ errors: [{ message: 'This ticket is not reserved: you can order it now', field: 'ticketId' }] });
    expect(await late.entries()).toEqual([]);

    const next = await insertOrder(database().db, ticket);
    const early = as();
    await early.join(ticket.id);
    const [behind] = await whileUncommitted((tx) => cancelOrder(tx, next), [() => as().join(ticket.id)]);
    // The cancellation offered the ticket to `early`; the join that waited for it is second in line.
    expect(behind!.body).toEqual({ position: 2 });
    expect(await early.entries()).toMatchObject([{ status: 'offered' }]);
  });

  it('ends everyone\'s entries when the ticket is sold, keeping their places', async () => {
    const { as } = setup();
    const ticket = await insertTicket(database().db);
    const holder = await insertOrder(database().db, ticket);
    const [a, b] = [as(), as()];
    await a.join(ticket.id);
    await b.join(ticket.id);
    await database().db.transaction((tx) => completeOrderById(tx, holder.id, { id: randomUUID() }));
    expect(await a.entries()).toEqual([{ ticketId: ticket.id, status: 'ended', position: 1 }]);
    expect(await b.entries()).toEqual([{ ticketId: ticket.id, status: 'ended', position: 2 }]);
    // No offer was running, so no offer event: only the sale itself.
    expect((await outboxEvents(database().db)).map((e) => e.type)).toEqual(['order:completed']);
  });
});
