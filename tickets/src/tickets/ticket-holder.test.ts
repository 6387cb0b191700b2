import { randomUUID } from 'node:crypto';
import { waitFor } from '@microtick/common/testing';
import { ordersReplica } from '../db/schema';
import { readOrderReplica, readTicket, seedTicket, useTicketsDatabase } from '../test-support';
import { lockTicketChangingOrder, lockTicketCreatingOrderIfFree } from './ticket-holder';

const database = useTicketsDatabase();

const inTransaction = <T>(body: (tx: Parameters<Parameters<ReturnType<typeof database>['db']['transaction']>[0]>[0]) => Promise<T>) => database().db.transaction(body);

/** Runs `locking` while another transaction holds the ticket's lock and changes it with `change`, committed once `locking` waits. */
async function whileAnotherChangesIt<T>(ticketId: string, change: string, params: unknown[], locking: () => Promise<T>): Promise<T> {
  const other = await database().pool.connect();
  try {
    await other.query('begin');
    await other.query(change, params);
    const result = locking();
    await waitFor(async () => (await database().pool.query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows.length === 1, {
      what: `the locking statement to wait for ticket ${ticketId}`,
    });
    await other.query('commit');
    return await result;
  } finally {
    other.release();
  }
}

describe('the ticket-locking statements of order events', () => {
  it('hold a free ticket for a new order in the statement that locks it and inserts the replica row', async () => {
    const ticket = await seedTicket(database(), { version: 3 });
    const orderId = randomUUID();
    const locked = await inTransaction((tx) => lockTicketCreatingOrderIfFree(tx, { id: orderId, status: 'created', ticket: { id: ticket.id } }));

    expect(locked).toMatchObject({ applied: true, ticket: { orderId: null, version: 3 }, held: { ...ticket, orderId, version: 4 } });
    expect(await readTicket(database(), ticket.id)).toEqual(locked.held);
  });

  it('leave a held ticket alone for a new order (versionedReplica decides)', async () => {
    const holder = randomUUID();
    const ticket = await seedTicket(database(), { orderId: holder, version: 1 });
    const locked = await inTransaction((tx) => lockTicketCreatingOrderIfFree(tx, { id: randomUUID(), status: 'created', ticket: { id: ticket.id } }));

    expect(locked).toMatchObject({ applied: false, held: null, ticket: { orderId: holder, version: 1 } });
    expect(await readTicket(database(), ticket.id)).toEqual(ticket);
  });

  it('do not change a ticket that another transaction changed while they waited for its lock: the handler does, after the lock', async () => {
    // The UPDATE looks with the snapshot taken before the wait (held by `previous`, version 3):
    // it must not act on that row, but leave the ticket as the lock returned it.
    const previous = randomUUID();
    const ticket = await seedTicket(database(), { orderId: previous, version: 3 });
    const orderId = randomUUID();
    const locked = await whileAnotherChangesIt(ticket.id, 'update tickets set order_id = null, version = version + 1 where id = $1', [ticket.id], () =>
      inTransaction((tx) => lockTicketCreatingOrderIfFree(tx, { id: orderId, status: 'created', ticket: { id: ticket.id } })),
    );

    expect(locked).toMatchObject({ applied: true, held: null, ticket: { orderId: null, version: 4 } });
    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId: null, version: 4 });
    expect(await readOrderReplica(database(), orderId)).toMatchObject({ status: 'created', version: 0 });
  });

  it('release the ticket of a cancelled order that holds it, in the statement that applies the cancellation', async () => {
    const orderId = randomUUID();
    const ticket = await seedTicket(database(), { orderId, version: 1 });
    await database().db.insert(ordersReplica).values({ id: orderId, ticketId: ticket.id, status: 'created', version: 0 });
    const locked = await inTransaction((tx) => lockTicketChangingOrder(tx, { id: orderId, version: 1, ticket: { id: ticket.id } }, 'cancelled'));

    expect(locked).toMatchObject({ applied: true, ticket: { orderId, version: 1 }, held: { ...ticket, orderId: null, version: 2 } });
    expect(await readTicket(database(), ticket.id)).toEqual(locked.held);
  });

  it('leave the ticket to its holder when the cancelled order does not hold it, and alone when an order completes', async () => {
    const other = randomUUID();
    const ticket = await seedTicket(database(), { orderId: other, version: 5 });
    const [cancelled, completed] = [randomUUID(), randomUUID()];
    await database().db.insert(ordersReplica).values([
      { id: cancelled, ticketId: ticket.id, status: 'created', version: 0 },
      { id: completed, ticketId: ticket.id, status: 'created', version: 0 },
    ]);
    const cancelling = await inTransaction((tx) => lockTicketChangingOrder(tx, { id: cancelled, version: 1, ticket: { id: ticket.id } }, 'cancelled'));
    const completing = await inTransaction((tx) => lockTicketChangingOrder(tx, { id: completed, version: 1, ticket: { id: ticket.id } }, 'complete'));

    expect(cancelling).toMatchObject({ applied: true, held: null });
    expect(completing).toMatchObject({ applied: true, held: null });
    expect(await readTicket(database(), ticket.id)).toEqual(ticket);
  });

  it('do not release a ticket that another transaction changed while the cancellation waited for its lock', async () => {
    const orderId = randomUUID();
    const ticket = await seedTicket(database(), { orderId, version: 1 });
    await database().db.insert(ordersReplica).values({ id: orderId, ticketId: ticket.id, status: 'created', version: 0 });
    // e.g. an edit of its waiting-list offer: same holder, a later version than the snapshot's.
    const locked = await whileAnotherChangesIt(ticket.id, 'update tickets set waitlist_version = 7, version = version + 1 where id = $1', [ticket.id], () =>
      inTransaction((tx) => lockTicketChangingOrder(tx, { id: orderId, version: 1, ticket: { id: ticket.id } }, 'cancelled')),
    );

    expect(locked).toMatchObject({ applied: true, held: null, ticket: { orderId, version: 2 } });
    expect(await readTicket(database(), ticket.id)).toMatchObject({ orderId, version: 2, waitlistVersion: 7 });
  });
});
