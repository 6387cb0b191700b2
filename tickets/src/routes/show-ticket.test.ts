import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { seedTicket, testApp, useTicketsDatabase } from '../test-support';

const database = useTicketsDatabase();

describe('GET /api/tickets/:id', () => {
  it('shows any ticket, reserved ones included', async () => {
    const orderId = randomUUID();
    const ticket = await seedTicket(database(), { title: 'Opera', priceCents: 4550, orderId, version: 3 });
    const res = await request(testApp(database())).get(`/api/tickets/${ticket.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: ticket.id, title: 'Opera', price: 45.5, userId: ticket.userId, version: 3, orderId, heldForWaitingList: false });
  });

  it('says when the ticket is offered to someone on its waiting list (no order holds it then)', async () => {
    const ticket = await seedTicket(database(), { title: 'Opera', priceCents: 4550, waitlistOfferId: randomUUID(), waitlistVersion: 1 });
    const res = await request(testApp(database())).get(`/api/tickets/${ticket.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ticket.id, orderId: null, heldForWaitingList: true });
  });

  it.each([
    ['an unknown id', randomUUID()],
    ['a malformed id', 'not-a-uuid'],
    ['an id that tries SQL', "1' or '1'='1"],
    ['a uuid with trailing junk', `${randomUUID()}x`],
  ])('answers 404 for %s', async (_case, id) => {
    const res = await request(testApp(database())).get(`/api/tickets/${encodeURIComponent(id)}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Ticket not found' }] });
  });
});
