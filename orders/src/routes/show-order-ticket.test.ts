import { generateKeyPairSync, randomUUID } from 'node:crypto';
import request from 'supertest';
import { verifyTicketCode } from '@microtick/common';
import { sessionCookie, testAppDeps, TEST_TICKET_CODE_KEYS } from '@microtick/common/testing';
import { buildApp } from '../app';
import { OrderChangeFeed } from '../orders/order-changes';
import type { OrderRow } from '../db/schema';
import { createOrdersTestDatabase, insertOrder, insertTicket, type OrdersTestDatabase } from '../test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => database.truncate());

async function setup(status: OrderRow['status'] = 'complete') {
  const app = buildApp({ db: database.db, ...testAppDeps(), ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: new OrderChangeFeed() });
  const buyer = { id: randomUUID() };
  const ticket = await insertTicket(database.db);
  const order = await insertOrder(database.db, ticket, { userId: buyer.id, status });
  const show = (id: string = order.id, cookie: string | undefined = sessionCookie(buyer)) => {
    const req = request(app).get(`/api/orders/${id}/ticket`);
    return cookie ? req.set('Cookie', cookie) : req;
  };
  return { ticket, order, show };
}

describe('GET /api/orders/:id/ticket', () => {
  it("gives the owner of a complete order a code naming the order and its ticket, signed with orders' key, and its QR code", async () => {
    const { order, ticket, show } = await setup();
    const res = await show();
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ code: expect.stringMatching(/^MT1\./), qrSvg: expect.stringMatching(/^<svg [^>]*viewBox="0 0 \d+ \d+"[\s\S]*<path[\s\S]*<\/svg>\s*$/) });
    expect(verifyTicketCode(TEST_TICKET_CODE_KEYS.publicKey, res.body.code)).toEqual({ orderId: order.id, ticketId: ticket.id });
    // Only the matching public key accepts it: another installation's key cannot.
    expect(verifyTicketCode(generateKeyPairSync('ed25519').publicKey, res.body.code)).toBeUndefined();
  });

  it('gives the same code every time (Ed25519 signatures are deterministic), so a printed copy stays valid', async () => {
    const { show } = await setup();
    expect((await show()).body.code).toBe((await show()).body.code);
  });

  it.each(['created', 'awaiting:payment', 'cancelled'] as const)('answers 400 for a %s order', async (status) => {
    const { show } = await setup(status);
    const res = await show();
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Only a paid (complete) order has a ticket code' }] });
  });

  it("answers 401 for someone else's order and without a session", async () => {
    const { show } = await setup();
    expect((await show(undefined, sessionCookie())).status).toBe(401);
    expect((await show(undefined, '')).status).toBe(401);
  });

  it.each(['not-a-uuid', randomUUID()])('answers 404 for a malformed or unknown id %j', async (id) => {
    const { show } = await setup();
    const res = await show(id);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Order not found' }] });
  });
});
