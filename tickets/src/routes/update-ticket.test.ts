import { outboxEvents, sessionCookie, waitFor } from '@microtick/common/testing';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { tickets } from '../db/schema';
import { seedTicket, testApp, useTicketsDatabase } from '../test-support';

const database = useTicketsDatabase();

async function setup(values: { orderId?: string } = {}) {
  const app = testApp(database());
  const ownerId = randomUUID();
  const ticket = await seedTicket(database(), { title: 'Concert', priceCents: 2000, userId: ownerId, ...values });
  const update = (body: object, cookie = sessionCookie({ id: ownerId }), id: string = ticket.id) =>
    request(app).put(`/api/tickets/${encodeURIComponent(id)}`).set('Cookie', cookie).send(body);
  const stored = async () => (await database().db.select().from(tickets).where(eq(tickets.id, ticket.id)))[0]!;
  return { app, ownerId, ticket, update, stored };
}

const outbox = () => outboxEvents(database().db);

describe('PUT /api/tickets/:id', () => {
  it('lets the owner change title and price, bumping the version and staging ticket:updated with it', async () => {
    const { update, ownerId, ticket, stored } = await setup();
    const res = await update({ title: ' Opera ', price: 45.5 });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: ticket.id, title: 'Opera', price: 45.5, userId: ownerId, version: 1, orderId: null, heldForWaitingList: false });
    expect(await stored()).toMatchObject({ title: 'Opera', priceCents: 4550, version: 1 });
    expect(await outbox()).toMatchObject([
      { type: 'ticket:updated', data: { id: ticket.id, title: 'Opera', price: 45.5, userId: ownerId, version: 1, orderId: null } },
    ]);
  });

  it('increments the version on every change', async () => {
    const { update } = await setup();
    await update({ title: 'A', price: 1 });
    const res = await update({ title: 'B', price: 2 });
    expect(res.body.version).toBe(2);
    expect((await outbox()).map((e) => e.data)).toMatchObject([{ version: 1, title: 'A' }, { version: 2, title: 'B' }]);
  });

  it('ignores attempts to set the owner, the order or the version through the body', async () => {
    const { update, ownerId } = await setup();
    const res = await update({ title: 'Opera', price: 5, userId: randomUUID(), orderId: randomUUID(), version: 40 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: ownerId, orderId: null, version: 1 });
  });

  it('answers 401 without a session', async () => {
    const { app, ticket, stored } = await setup();
    const res = await request(app).put(`/api/tickets/${ticket.id}`).send({ title: 'Mine now', price: 1 });
    expect(res.status).toBe(401);
    expect(await stored()).toMatchObject({ title: 'Concert', version: 0 });
    expect(await outbox()).toEqual([]);
  });

  it('answers 401 to someone who is not the owner, and changes nothing', async () => {
    const { update, stored } = await setup();
    const res = await update({ title: 'Mine now', price: 1 }, sessionCookie({ id: randomUUID() }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not authorized' }] });
    expect(await stored()).toMatchObject({ title: 'Concert', priceCents: 2000, version: 0 });
    expect(await outbox()).toEqual([]);
  });

  it('refuses to edit a reserved ticket', async () => {
    const orderId = randomUUID();
    const { update, stored } = await setup({ orderId });
    const res = await update({ title: 'Cheaper', price: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Ticket is reserved' }] });
    expect(await stored()).toMatchObject({ title: 'Concert', version: 0, orderId });
    expect(await outbox()).toEqual([]);
  });

  it.each([['an unknown id', randomUUID()], ['a malformed id', 'nope']])('answers 404 for %s', async (_case, id) => {
    const { update } = await setup();
    const res = await update({ title: 'Opera', price: 5 }, undefined, id);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Ticket not found' }] });
  });

  it.each<[object, string]>([
    [{ title: '', price: 5 }, 'title'],
    [{ title: 'x'.repeat(201), price: 5 }, 'title'],
    [{ title: 'Opera', price: '5.' }, 'price'],
    [{ title: 'Opera', price: 19.999 }, 'price'],
    [{ title: 'Opera', price: 0.49 }, 'price'],
    [{ title: 'Opera', price: '0.10' }, 'price'],
    [{ title: 'Opera', price: -1 }, 'price'],
    [{ title: 'Opera', price: 2_000_000 }, 'price'],
  ])('applies the create rules: %p is a 400 naming %s, with nothing changed', async (body, field) => {
    const { update, stored } = await setup();
    const res = await update(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
    expect(await stored()).toMatchObject({ title: 'Concert', version: 0 });
    expect(await outbox()).toEqual([]);
  });

  it('takes the price as a decimal string too, below the minimum charge refused with the reason', async () => {
    const { update, stored } = await setup();
    const res = await update({ title: 'Opera', price: '30.50' });
    expect(res.status).toBe(200);
    expect(res.body.price).toBe(30.5);
    expect(await stored()).toMatchObject({ priceCents: 3050, version: 1 });
    const tooLow = await update({ title: 'Opera', price: 0.3 });
    expect(tooLow.body).toEqual({ errors: [{ field: 'price', message: 'Price must be at least 0.50, the smallest amount a card can be charged' }] });
  });

  it('answers 409 instead of overwriting a change made between its read and its write', async () => {
    const { update, ticket, stored } = await setup();
    // Another writer has changed the ticket but not committed yet: the request reads version 0,
    // then its `UPDATE … WHERE version = 0` waits for that writer's row lock.
    const other = await database().pool.connect();
    try {
      await other.query('begin');
      await other.query(`update tickets set title = 'Other edit', version = version + 1 where id = $1`, [ticket.id]);
      const pending = update({ title: 'Mine', price: 5 }).then((res) => res);
      await waitFor(async () => {
        const { rows } = await database().pool.query(
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'update "tickets"%'`,
        );
        return rows.length === 1;
      }, { what: 'the request to wait for the row lock' });
      await other.query('commit');

      const res = await pending;
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ errors: [{ message: 'Ticket was changed by someone else; reload it and try again' }] });
    } finally {
      other.release();
    }
    expect(await stored()).toMatchObject({ title: 'Other edit', version: 1 });
    expect(await outbox()).toEqual([]);
  });

  it('under concurrent edits, every request is a 200 or a 409 and each success is exactly one version', async () => {
    const { update, stored } = await setup();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => update({ title: `Edit ${i}`, price: i + 1 })));

    const statuses = responses.map((res) => res.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    const winners = responses.filter((res) => res.status === 200);
    const versions = winners.map((res) => res.body.version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: winners.length }, (_, i) => i + 1));
    const final = await stored();
    expect(final.version).toBe(winners.length);
    expect(winners.find((res) => res.body.version === final.version)!.body.title).toBe(final.title);
    const events = await outbox();
    expect(events.map((e) => (e.data as { version: number }).version).sort((a, b) => a - b)).toEqual(versions);
  });
});
