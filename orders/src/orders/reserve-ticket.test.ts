import { randomUUID } from 'node:crypto';
import { countingWrites } from '@microtick/common/testing';
import { insertOrder, insertTicket, useOrdersDatabase } from '../test-support';
import { reserveTicket } from './reserve-ticket';

const database = useOrdersDatabase();

const postgresPort = () => Number(new URL(database().url).port || 5432);

describe('reserveTicket', () => {
  it('sends the buyer lock, the order insert and the waiting-list lock with BEGIN, in one write', async () => {
    const ticket = await insertTicket(database().db, { title: 'Opera', priceCents: 1_999 });
    const buyer = randomUUID();
    const expiresAt = new Date('2030-01-01T12:15:00.000Z');
    await database().pool.query('select 1'); // the pooled connection is open: no handshake below

    const { result, writes } = await countingWrites(
      () => database().db.transaction((tx) => reserveTicket(tx, { ticketId: ticket.id, userId: buyer, expiresAt, maxLiveOrders: 5 })),
      { toPort: postgresPort() },
    );

    expect(writes).toBe(2); // BEGIN and the three statements; COMMIT
    expect(result.ticket).toEqual(ticket);
    expect(result.order).toEqual({ id: expect.any(String), userId: buyer, ticketId: ticket.id, status: 'created', priceCents: 1_999, expiresAt, version: 0, createdAt: expect.any(Date) });
    expect(result.waitlist).toBeUndefined();
    const { rows } = await database().pool.query('select id, user_id from orders where ticket_id = $1', [ticket.id]);
    expect(rows).toEqual([{ id: result.order?.id, user_id: buyer }]);
  });

  it('inserts nothing for an unknown ticket, the buyer\'s own ticket, or a buyer at the limit', async () => {
    const seller = randomUUID();
    const own = await insertTicket(database().db, { userId: seller });
    const reserve = (ticketId: string, userId: string, maxLiveOrders = 5) =>
      database().db.transaction((tx) => reserveTicket(tx, { ticketId, userId, expiresAt: new Date(Date.now() + 60_000), maxLiveOrders }));

    expect(await reserve(randomUUID(), seller)).toEqual({ ticket: undefined, order: undefined, waitlist: undefined });
    expect(await reserve(own.id, seller)).toEqual({ ticket: own, order: undefined, waitlist: undefined });
    const busy = randomUUID();
    await insertOrder(database().db, await insertTicket(database().db), { userId: busy });
    expect(await reserve(own.id, busy, 1)).toEqual({ ticket: own, order: undefined, waitlist: undefined });

    const { rows } = await database().pool.query('select count(*)::int as count from orders where ticket_id = $1', [own.id]);
    expect(rows).toEqual([{ count: 0 }]);
  });
});
