import { countingWrites, outboxEvents, sessionCookie } from '@microtick/common/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { tickets } from '../db/schema';
import { testApp, useTicketsDatabase } from '../test-support';

const database = useTicketsDatabase();

function setup() {
  const app = testApp(database());
  const userId = randomUUID();
  const cookie = sessionCookie({ id: userId });
  const create = (body: object | string) => request(app).post('/api/tickets').set('Cookie', cookie).type('json').send(body);
  return { app, userId, create };
}

const storedTickets = () => database().db.select().from(tickets);

describe('POST /api/tickets', () => {
  it('lists a ticket for the signed-in user and stages ticket:created in the same transaction', async () => {
    const { create, userId } = setup();
    const res = await create({ title: '  Concert  ', price: 19.99 });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), title: 'Concert', price: 19.99, userId, version: 0, orderId: null, heldForWaitingList: false });
    expect(await storedTickets()).toMatchObject([{ id: res.body.id, title: 'Concert', priceCents: 1999, userId, version: 0, orderId: null }]);
    const events = await outboxEvents(database().db);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ticket:created', data: { id: res.body.id, version: 0, title: 'Concert', price: 19.99, userId } });
  });

  it('sends BEGIN with the ticket insert: two writes to Postgres (BEGIN + insert, ticket:created with COMMIT)', async () => {
    const { create } = setup();
    expect((await create({ title: 'Warm-up', price: 1 })).status).toBe(201); // the pooled connection is open
    const { result, writes } = await countingWrites(() => create({ title: 'Concert', price: 19.99 }), { toPort: Number(new URL(database().url).port || 5432) });
    expect(result.status).toBe(201);
    expect(writes).toBe(2);
  });

  it('requires a session, and writes nothing without one', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/tickets').send({ title: 'Concert', price: 10 });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
    expect(await storedTickets()).toEqual([]);
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  it.each([0.5, 0.51, 1.1, 4.35, 19.99, 999_999.99, 1_000_000])('stores %p exactly as integer cents and shows it back unchanged', async (price) => {
    const { app, create } = setup();
    const res = await create({ title: 'Exact', price });
    expect(res.status).toBe(201);
    const [row] = await storedTickets();
    expect(row!.priceCents).toBe(Math.round(price * 100));
    expect(Number.isInteger(row!.priceCents)).toBe(true);
    expect((await request(app).get(`/api/tickets/${res.body.id}`)).body.price).toBe(price);
    expect((await outboxEvents(database().db))[0]!.data).toMatchObject({ price });
  });

  it.each([
    ['25.00', 25],
    ['25', 25],
    ['0.50', 0.5],
    ['19.9', 19.9],
    ['1000000.00', 1_000_000],
  ])('accepts the price text %p (what an HTML input sends) and answers with the number %p', async (text, price) => {
    const { create } = setup();
    const res = await create({ title: 'From a form', price: text });
    expect(res.status).toBe(201);
    expect(res.body.price).toBe(price);
    expect((await storedTickets())[0]!.priceCents).toBe(Math.round(price * 100));
    expect((await outboxEvents(database().db))[0]!.data).toMatchObject({ price });
  });

  it('accepts a title of exactly 200 characters after trimming', async () => {
    const { create } = setup();
    const res = await create({ title: ` ${'x'.repeat(200)} `, price: 5 });
    expect(res.status).toBe(201);
    expect(res.body.title).toHaveLength(200);
  });

  it('takes the owner from the session, never from the body', async () => {
    const { create, userId } = setup();
    const res = await create({ title: 'Mine', price: 5, userId: randomUUID(), orderId: randomUUID(), version: 7 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId, orderId: null, version: 0 });
  });

  it.each<[string, object | string, string, string]>([
    ['a missing title', { price: 10 }, 'title', 'Title is required'],
    ['a blank title', { title: '   ', price: 10 }, 'title', 'Title is required'],
    ['a numeric title', { title: 42, price: 10 }, 'title', 'Title is required'],
    ['a title given as an array', { title: ['Concert'], price: 10 }, 'title', 'Title is required'],
    ['a 201-character title', { title: 'x'.repeat(201), price: 10 }, 'title', 'Title must be at most 200 characters'],
    ['a title with a NUL character', { title: 'Con\u0000cert', price: 10 }, 'title', 'Title must not contain control characters'],
    ['a missing price', { title: 'Concert' }, 'price', 'Price must be a number, or a decimal string such as "25.00"'],
    ['a null price (what NaN becomes in JSON)', { title: 'Concert', price: null }, 'price', 'Price must be a number, or a decimal string such as "25.00"'],
    ['a boolean price', { title: 'Concert', price: true }, 'price', 'Price must be a number, or a decimal string such as "25.00"'],
    ['a price given as an array', { title: 'Concert', price: [10] }, 'price', 'Price must be a number, or a decimal string such as "25.00"'],
    ...(['abc', '1e3', ' 5', '5 ', '5.', '.5', '19.999', '-5', '+5', '05', '5,00', '0x10', '', 'Infinity'] as const).map(
      (text) => [`the price text ${JSON.stringify(text)}`, { title: 'Concert', price: text }, 'price', 'Price must be a number, or a decimal string such as "25.00"'] as [string, object, string, string],
    ),
    ['a zero price', { title: 'Concert', price: 0 }, 'price', 'Price must be at least 0.50, the smallest amount a card can be charged'],
    ['a negative price', { title: 'Concert', price: -5 }, 'price', 'Price must be at least 0.50, the smallest amount a card can be charged'],
    ['a price below the minimum charge', { title: 'Concert', price: 0.49 }, 'price', 'Price must be at least 0.50, the smallest amount a card can be charged'],
    ['a price text below the minimum charge', { title: 'Concert', price: '0.49' }, 'price', 'Price must be at least 0.50, the smallest amount a card can be charged'],
    ['a price with 3 decimals', { title: 'Concert', price: 19.999 }, 'price', 'Price must have at most 2 decimals'],
    ['an infinite price (1e400 in JSON)', '{"title":"Concert","price":1e400}', 'price', 'Price must be at most 1000000'],
    ['a price above 1,000,000', { title: 'Concert', price: 1_000_000.01 }, 'price', 'Price must be at most 1000000'],
    ['a huge price', { title: 'Concert', price: 1e20 }, 'price', 'Price must be at most 1000000'],
  ])('rejects %s with a 400 naming the field, and writes nothing', async (_case, body, field, message) => {
    const { create } = setup();
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
    expect(await storedTickets()).toEqual([]);
    expect(await outboxEvents(database().db)).toEqual([]);
  });

  it('names both fields when the body is missing altogether', async () => {
    const { app } = setup();
    const res = await request(app).post('/api/tickets').set('Cookie', sessionCookie()).type('text').send('Concert for 10');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['title', 'price']);
  });

  it('answers malformed JSON with a 400 in the error shape', async () => {
    const { create } = setup();
    const res = await create('{"title": "Concert", "price": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Malformed JSON in request body' }] });
  });
});
