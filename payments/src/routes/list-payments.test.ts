import { randomUUID } from 'node:crypto';
import { sessionCookie } from '@microtick/common/testing';
import request from 'supertest';
import { payments } from '../db/schema';
import { insertOrder, usePaymentsFixture } from '../test-support';

const fx = usePaymentsFixture();

describe('GET /api/payments?orderId=', () => {
  it("lists the order's payments, oldest first, with amount and status, for its owner", async () => {
    const order = await insertOrder(fx.database, { priceCents: 1999 });
    const list = (cookie = sessionCookie({ id: order.userId }), query: Record<string, string> = { orderId: order.id }) =>
      request(fx.app()).get('/api/payments').query(query).set('Cookie', cookie);

    expect((await list()).body).toEqual([]);
    await fx.database.db.insert(payments).values({ orderId: order.id, stripeId: 'pi_failed', amountCents: 1999, status: 'failed', createdAt: new Date(Date.now() - 1_000) });
    const paid = await request(fx.app()).post('/api/payments').set('Cookie', sessionCookie({ id: order.userId })).send({ orderId: order.id, token: 'tok_visa' });

    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: expect.any(String), orderId: order.id, stripeId: 'pi_failed', amount: 19.99, status: 'failed' },
      { id: paid.body.id, orderId: order.id, stripeId: paid.body.stripeId, amount: 19.99, status: 'authorized' },
    ]);

    expect((await list(sessionCookie())).status).toBe(401);
    expect((await request(fx.app()).get('/api/payments').query({ orderId: order.id })).status).toBe(401);
    for (const query of [{ orderId: randomUUID() }, { orderId: 'nope' }, {}] as Record<string, string>[]) {
      const missing = await list(undefined, query);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ errors: [{ message: 'Order not found' }] });
    }
  });
});
