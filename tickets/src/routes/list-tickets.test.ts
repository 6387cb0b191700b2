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
      { id: newer.id, title: 'Newer', price: 5, userId: newer.userId, version: 0, orderId: null, heldForWaitingList: false },
      { id: older.id, title: 'Older', price: 19.99, userId: older.userId, version: 0, orderId: null, heldForWaitingList: false },
    ]);
  });

  it('answers compact JSON with the headers res.json gave it: content type, length, ETag and 304 when unchanged', async () => {
    const { list } = setup();
    await seedTicket(database(), { title: 'Quote " backslash \\ tab\t é 🎫', priceCents: 1990 });
    const res = await list();
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(JSON.stringify(res.body));
    expect(res.body[0]).toMatchObject({ title: 'Quote " backslash \\ tab\t é 🎫', price: 19.9 });
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.headers.etag).toMatch(/^W\/"/);
    const again = await list().set('If-None-Match', res.headers.etag as string);
    expect(again.status).toBe(304);
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

  it('answers no Link header on the last page', async () => {
    const { list, seedMany } = setup();
    await seedMany(3);
    const res = await list('?limit=3');
    expect(res.body).toHaveLength(3);
    expect(res.headers.link).toBeUndefined();
  });

  it('accepts offsets up to 10,000', async () => {
    const { list } = setup();
    const res = await list('?offset=10000');
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
    ['?offset=10001', 'offset'],
    ['?offset=99999999999999999999', 'offset'],
  ])('rejects %s with a 400 naming %s', async (query, field) => {
    const { list } = setup();
    const res = await list(query);
    expect(res.status).toBe(400);
    const message = field === 'limit' ? 'Limit must be an integer from 1 to 100' : 'Offset must be an integer from 0 to 10000';
    expect(res.body).toEqual({ errors: [{ field, message }] });
  });
});

/** The ids of every page, following the Link header from `first` until there is none. */
async function followLinks(list: (query: string) => request.Test, first: string) {
  const pages: string[][] = [];
  let next: string | undefined = first;
  while (next !== undefined) {
    const res = await list(next);
    expect(res.status).toBe(200);
    pages.push(res.body.map((t: { title: string }) => t.title));
    const link = res.headers.link as string | undefined;
    if (!link) break;
    const match = /^<\/api\/tickets(\?[^>]*)>; rel="next"$/.exec(link);
    expect(match).not.toBeNull();
    next = match![1];
    if (pages.length > 50) throw new Error('the links never end');
  }
  return pages;
}

describe('GET /api/tickets: search, filters, sort and cursor paging', () => {
  const titles = (res: request.Response) => res.body.map((t: { title: string }) => t.title);

  it('finds titles by words in any case and with or without accents, each word anywhere', async () => {
    const { list } = setup();
    for (const title of ['Beyoncé — Stade de France', 'BEYONCE Paris', 'Café Tacvba', 'Jazz à Juan', 'Rock Night']) {
      await seedTicket(database(), { title });
    }
    await seedTicket(database(), { title: 'Beyoncé reserved', orderId: randomUUID() });

    expect(titles(await list('?q=beyonce')).sort()).toEqual(['BEYONCE Paris', 'Beyoncé — Stade de France']);
    expect(titles(await list(`?q=${encodeURIComponent('BEYONCÉ stade')}`))).toEqual(['Beyoncé — Stade de France']);
    expect(titles(await list('?q=cafe'))).toEqual(['Café Tacvba']);
    expect(titles(await list('?q=a%20juan'))).toEqual(['Jazz à Juan']);
    expect(titles(await list('?q=%20%20'))).toHaveLength(5);
    expect(titles(await list('?q=opera'))).toEqual([]);
  });

  it('treats LIKE wildcards in a search as text', async () => {
    const { list } = setup();
    await seedTicket(database(), { title: '100% Rock' });
    await seedTicket(database(), { title: '1000 Rock' });
    await seedTicket(database(), { title: 'a_b' });
    await seedTicket(database(), { title: 'axb' });
    expect(titles(await list('?q=100%25'))).toEqual(['100% Rock']);
    expect(titles(await list('?q=a_b'))).toEqual(['a_b']);
  });

  it('filters by a price range (inclusive) and sorts by price either way', async () => {
    const { list } = setup();
    for (const [title, priceCents] of [['A', 500], ['B', 1000], ['C', 1999], ['D', 2000], ['E', 2001]] as const) {
      await seedTicket(database(), { title, priceCents });
    }
    expect(titles(await list('?minPrice=10&maxPrice=20&sort=price_asc'))).toEqual(['B', 'C', 'D']);
    expect(titles(await list('?minPrice=19.99&sort=price_desc'))).toEqual(['E', 'D', 'C']);
    expect(titles(await list('?maxPrice=5'))).toEqual(['A']);
  });

  it.each(['newest', 'price_asc', 'price_desc'])('pages by cursor in %s order, every ticket once, ties broken by id', async (sort) => {
    const { list } = setup();
    // Many tickets share a creation instant and a price, so only the id orders them.
    for (let i = 0; i < 23; i++) await seedTicket(database(), { title: `T${i}`, priceCents: 500 + (i % 4) * 100 });
    // … and creation instants a microsecond apart (finer than a JS Date), so the cursor must be exact.
    await database().pool.query(`update tickets set created_at = timestamptz '2030-01-01' + (ascii(right(title, 1)) % 3) * interval '1 microsecond'`);
    const everything = titles(await list(`?sort=${sort}&limit=100`));
    const pages = await followLinks(list, `?sort=${sort}&limit=5`);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual(everything);
  });

  it('keeps the search and filters in the next link, and does not repeat or skip a ticket listed meanwhile', async () => {
    const { list } = setup();
    for (let i = 0; i < 6; i++) await seedTicket(database(), { title: `Jazz ${i}`, priceCents: 1000 + i, createdAt: new Date(Date.UTC(2030, 0, 1, 0, i)) });
    await seedTicket(database(), { title: 'Rock', priceCents: 1003 });

    const first = await list('?q=jazz&minPrice=10&limit=4');
    expect(titles(first)).toEqual(['Jazz 5', 'Jazz 4', 'Jazz 3', 'Jazz 2']);
    const link = first.headers.link as string;
    expect(link).toMatch(/^<\/api\/tickets\?q=jazz&minPrice=10&limit=4&cursor=[\w-]+>; rel="next"$/);
    await seedTicket(database(), { title: 'Jazz new', priceCents: 1500, createdAt: new Date(Date.UTC(2031, 0, 1)) }); // newer than all: belongs to page 1, not 2
    const second = await list(link.slice('</api/tickets'.length, link.indexOf('>')));
    expect(titles(second)).toEqual(['Jazz 1', 'Jazz 0']);
    expect(second.headers.link).toBeUndefined();
  });

  it('links from an offset page to the cursor that continues it', async () => {
    const { list, seedMany } = setup();
    await seedMany(7);
    const pages = await followLinks(list, '?limit=2&offset=2');
    expect(pages).toEqual([['T4', 'T3'], ['T2', 'T1'], ['T0']]);
  });

  it.each([
    ['?q=a&q=b', 'q', 'Search must be text'],
    [`?q=${'x'.repeat(101)}`, 'q', 'Search must be at most 100 characters'],
    ['?q=a%00b', 'q', 'Search must not contain control characters'],
    [`?q=${Array.from({ length: 13 }, () => 'w').join('+')}`, 'q', 'Search must have at most 12 words'],
    ['?minPrice=-1', 'minPrice', 'Minimum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?minPrice=1.999', 'minPrice', 'Minimum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?minPrice=ten', 'minPrice', 'Minimum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?minPrice=', 'minPrice', 'Minimum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?maxPrice=1e3', 'maxPrice', 'Maximum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?maxPrice=1000000.01', 'maxPrice', 'Maximum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?maxPrice=1&maxPrice=2', 'maxPrice', 'Maximum price must be an amount from 0 to 1000000 with at most 2 decimals'],
    ['?minPrice=20&maxPrice=10', 'minPrice', 'Minimum price must not be above the maximum price'],
    ['?sort=cheapest', 'sort', 'Sort must be one of newest, price_asc, price_desc'],
    ['?sort=newest&sort=newest', 'sort', 'Sort must be one of newest, price_asc, price_desc'],
    ['?cursor=abc', 'cursor', 'Cursor is invalid; follow the Link header of the previous page'],
    ['?cursor=%3Cscript%3E', 'cursor', 'Cursor is invalid; follow the Link header of the previous page'],
    [`?cursor=${Buffer.from('{"s":"newest","k":1.5,"i":"x"}').toString('base64url')}`, 'cursor', 'Cursor is invalid; follow the Link header of the previous page'],
    [`?sort=price_asc&cursor=${Buffer.from(`{"s":"newest","k":1,"i":"${randomUUID()}"}`).toString('base64url')}`, 'cursor', 'Cursor is for another sort order; follow the Link header of the previous page'],
    [`?offset=1&cursor=${Buffer.from(`{"s":"newest","k":1,"i":"${randomUUID()}"}`).toString('base64url')}`, 'offset', 'Give either offset or cursor, not both'],
  ])('rejects %s with a 400 naming %s', async (query, field, message) => {
    const { list } = setup();
    const res = await list(query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
  });
});
