import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signTicketCode } from '@microtick/common';
import { sessionCookie, TEST_TICKET_CODE_KEYS, waitFor } from '@microtick/common/testing';
import request from 'supertest';
import { checkins } from '../db/schema';
import { seedTicket, testApp, useTicketsDatabase } from '../test-support';

const database = useTicketsDatabase();

async function setup() {
  const app = testApp(database());
  const sellerId = randomUUID();
  const orderId = randomUUID();
  const ticket = await seedTicket(database(), { userId: sellerId, orderId });
  const code = signTicketCode(TEST_TICKET_CODE_KEYS.privateKey, { orderId, ticketId: ticket.id });
  const checkIn = (body: object, { cookie = sessionCookie({ id: sellerId }), ticketId = ticket.id }: { cookie?: string; ticketId?: string } = {}) =>
    request(app).post(`/api/tickets/${encodeURIComponent(ticketId)}/checkins`).set('Cookie', cookie).send(body);
  return { sellerId, orderId, ticket, code, checkIn };
}

const stored = () => database().db.select().from(checkins);

describe('POST /api/tickets/:id/checkins', () => {
  it('admits a genuine code for this ticket once: 201 with the time, recorded with the order and the seller', async () => {
    const { checkIn, code, ticket, orderId, sellerId } = await setup();
    const res = await checkIn({ code });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ checkedInAt: expect.any(String) });
    expect(Math.abs(Date.parse(res.body.checkedInAt) - Date.now())).toBeLessThan(60_000);
    expect(await stored()).toEqual([{ ticketId: ticket.id, orderId, checkedInBy: sellerId, checkedInAt: new Date(res.body.checkedInAt) }]);
  });

  it('answers a repeat with 409, the first check-in time and an error, and keeps the first', async () => {
    const { checkIn, code } = await setup();
    const first = await checkIn({ code });
    const again = await checkIn({ code: `  ${code} ` });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ checkedInAt: first.body.checkedInAt, errors: [{ message: `Already checked in at ${first.body.checkedInAt}` }] });
    expect(await stored()).toHaveLength(1);
  });

  it('admits exactly one of two scans that reach the database at the same time', async () => {
    const { checkIn, code, ticket, orderId } = await setup();
    // Another transaction holds an uncommitted check-in of the ticket: both scans pass every
    // check, then wait on the primary key behind it. When it rolls back they are released
    // together, and only the key decides between them.
    const holder = await database().pool.connect();
    try {
      await holder.query('begin');
      await holder.query('insert into checkins (ticket_id, order_id, checked_in_by) values ($1, $2, $3)', [ticket.id, orderId, randomUUID()]);
      const scans = [checkIn({ code }).then((res) => res), checkIn({ code }).then((res) => res)];
      await waitFor(async () => {
        const { rows } = await database().pool.query<{ count: number }>(
          `select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into "checkins"%'`,
        );
        return rows[0]!.count === 2;
      }, { what: 'both scans waiting on the check-in key' });
      await holder.query('rollback');

      const responses = await Promise.all(scans);
      expect(responses.map((res) => res.status).sort()).toEqual([201, 409]);
      const [admitted, refused] = responses[0]!.status === 201 ? responses : [responses[1]!, responses[0]!];
      expect(refused!.body.checkedInAt).toBe(admitted!.body.checkedInAt);
    } finally {
      holder.release();
    }
    expect(await stored()).toHaveLength(1);
  });

  it('refuses a code for another ticket, even one of the same seller', async () => {
    const { checkIn, sellerId, orderId } = await setup();
    const other = await seedTicket(database(), { userId: sellerId });
    const res = await checkIn({ code: signTicketCode(TEST_TICKET_CODE_KEYS.privateKey, { orderId, ticketId: other.id }) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ field: 'code', message: 'This code is for another ticket' }] });
    expect(await stored()).toEqual([]);
  });

  it.each<[string, (code: string, ticketId: string) => unknown]>([
    ['signed with another key (a forgery)', (_code, ticketId) => signTicketCode(generateKeyPairSync('ed25519').privateKey, { orderId: randomUUID(), ticketId })],
    ['altered by one character', (code) => `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`],
    ['truncated', (code) => code.slice(0, 60)],
    ['not a code at all', () => 'hello'],
  ])('refuses a code %s with 400', async (_case, make) => {
    const { checkIn, code, ticket } = await setup();
    const res = await checkIn({ code: make(code, ticket.id) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ field: 'code', message: 'This is not a valid ticket code' }] });
    expect(await stored()).toEqual([]);
  });

  it.each([[{}], [{ code: '' }], [{ code: 42 }], [{ code: ['x'] }]])('answers %j with 400 "Code is required"', async (body) => {
    const { checkIn } = await setup();
    const res = await checkIn(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ field: 'code', message: 'Code is required' }] });
  });

  it('lets only the seller check people in (401 for anyone else, or without a session)', async () => {
    const { checkIn, code } = await setup();
    expect((await checkIn({ code }, { cookie: sessionCookie() })).status).toBe(401);
    expect((await checkIn({ code }, { cookie: '' })).status).toBe(401);
    expect(await stored()).toEqual([]);
  });

  it.each([['an unknown ticket', randomUUID()], ['a malformed id', 'nope']])('answers 404 for %s', async (_case, ticketId) => {
    const { checkIn, code } = await setup();
    const res = await checkIn({ code }, { ticketId });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Ticket not found' }] });
  });
});
