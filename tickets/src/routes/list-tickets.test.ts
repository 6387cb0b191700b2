import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { seedTicket, testApp, useTicketsDatabase } from '../test-support';

const database = useTicketsDatabase();

function setup() {
  const app = testApp(database());
  const list = (query = '') => request(app).get(`/api/tickets${query}`);
  /** `count` tickets, the i-th created i minutes after a fixed start (so the newest is the last). */
  const seedMany = async (count: number, values: { orderId?: string } = {}) => {
    const start = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < count; i++) await seedTicket(database(), { title: `T${i}`, createdAt: new Date(start + i * 60_000), ...values });
  };
  return { list, seedMany };
}

describe('GET /api/tickets', () => {
  it('lists the tickets that are not reserved, newest first, to anyone', async () => {
    const { list } = setup();
    const older = await seedTicket(database(), { title: 'Older', priceCents: 1999, createdAt: new Date('2030-01-01') });
    await seedTicket(database(), { title: 'Reserved', orderId: randomUUID(), createdAt: new Date('2030-01-02') });
    const newer = await seedTicket(database(), { title: 'Newer', priceCents: 500, createdAt: new Date('2030-01-03') });

    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id: newer.id, title: 'Newer', price: 5, userId: newer.userId, version: 0, orderId: null },
      { id: older.id, title: 'Older', price: 19.99, userId: older.userId, version: 0, orderId: null },
    ]);
  });

  it('returns 50 tickets by default and at most 100', async () => {
    const { list, seedMany } = setup();
    await seedMany(120);
    expect((await list()).body).toHaveLength(50);
    const res = await list('?limit=100');
    expect(res.body).toHaveLength(100);
    expect(res.body[0].title).toBe('T119');
  });

  it('pages with limit and offset without gaps or overlaps, even for tickets created at the same instant', async () => {
    const { list } = setup();
    const sameInstant = new Date('2030-01-01');
    for (let i = 0; i < 7; i++) await seedTicket(database(), { createdAt: sameInstant });
    const all = (await list()).body.map((t: { id: string }) => t.id);
    const pages = [];
    for (let offset = 0; offset < 9; offset += 3) pages.push(...(await list(`?limit=3&offset=${offset}`)).body.map((t: { id: string }) => t.id));
    expect(pages).toEqual(all);
    expect(new Set(all).size).toBe(7);
  });

  it('returns an empty page past the end', async () => {
    const { list, seedMany } = setup();
    await seedMany(2);
    const res = await list('?offset=5');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=ten', 'limit'],
    ['?limit=1.5', 'limit'],
    ['?limit=', 'limit'],
    ['?limit=1&limit=2', 'limit'],
    ['?offset=-1', 'offset'],
    ['?offset=x', 'offset'],
    ['?offset=1000001', 'offset'],
    ['?offset=99999999999999999999', 'offset'],
  ])('rejects %s with a 400 naming %s', async (query, field) => {
    const { list } = setup();
    const res = await list(query);
    expect(res.status).toBe(400);
    const message = field === 'limit' ? 'Limit must be an integer from 1 to 100' : 'Offset must be an integer from 0 to 1000000';
    expect(res.body).toEqual({ errors: [{ field, message }] });
  });
});
