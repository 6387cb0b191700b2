import { randomUUID } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import { tickets } from '../db/schema';
import { seedTicket, useTicketsDatabase } from '../test-support';
import { ticketView } from '../tickets/ticket-view';
import { ticketJsonText } from './ticket-json';

const database = useTicketsDatabase();

/** Every control character, the JSON specials, and text JSON.stringify leaves as it is. */
const TITLES = [
  'Plain',
  'Quote " and backslash \\ and slash /',
  Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join(''),
  'Tab\tnew line\ncarriage return\rform feed\fbackspace\b',
  'DEL \u007f, NBSP \u00a0, line separators \u2028 \u2029, BOM \ufeff',
  'Beyoncé — Stade de France, 東京, Ελλάδα, 🎸🎫',
  '</script><script>alert(1)</script> & \'single\'',
  '{"looks":"like json"}',
  ' ',
];

describe('ticketJsonText (the listing JSON Postgres writes)', () => {
  it('is the same text as JSON.stringify(ticketView(row)) for every title, price and state', async () => {
    const prices = [1, 5, 10, 99, 100, 101, 110, 1999, 2000, 12345, 99999, 100000, 123456789, 100_000_000];
    let i = 0;
    for (const title of TITLES) {
      for (const priceCents of prices) {
        i++;
        await seedTicket(database(), {
          title,
          priceCents,
          version: i % 4,
          orderId: i % 3 === 0 ? randomUUID() : null,
          waitlistOfferId: i % 5 === 0 ? randomUUID() : null,
          createdAt: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
        });
      }
    }
    const rows = await database().db.select({ ticket: tickets, json: ticketJsonText }).from(tickets).orderBy(asc(tickets.createdAt));
    expect(rows).toHaveLength(TITLES.length * prices.length);
    expect(rows.some((row) => row.ticket.orderId !== null) && rows.some((row) => row.ticket.waitlistOfferId !== null)).toBe(true);
    for (const row of rows) expect(row.json).toBe(JSON.stringify(ticketView(row.ticket)));
  });

  it('prints every price a ticket can have as JavaScript prints cents / 100', async () => {
    // Every price up to 2,000.00, then a stride through the rest of the range up to 1,000,000.00.
    const { rows } = await database().pool.query<{ cents: number; text: string }>(
      `select cents, trim_scale(cents::numeric / 100)::text as text
       from (select generate_series(1, 200000) as cents union all select generate_series(200001, 100000000, 997) union all select 100000000) as prices`,
    );
    const wrong = rows.filter(({ cents, text }) => text !== JSON.stringify(cents / 100));
    expect(rows.length).toBeGreaterThan(300_000);
    expect(wrong).toEqual([]);
  });

  it('keeps the same text whatever extra_float_digits the session has', async () => {
    await seedTicket(database(), { priceCents: 1999 });
    for (const digits of [-15, 0, 1, 3]) {
      // A float8 would print 19.99 as 2e+01 at -15.
      const { rows } = await database().db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local extra_float_digits = ${digits}`));
        return tx.execute<{ json: string }>(sql`select ${ticketJsonText} as json from ${tickets}`);
      });
      expect(rows[0]!.json).toContain(',"price":19.99,');
    }
  });
});
