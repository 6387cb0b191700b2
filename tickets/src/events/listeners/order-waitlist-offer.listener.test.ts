import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { EventData } from '@microtick/common';
import { sessionCookie } from '@microtick/common/testing';
import { readTicket, seedTicket, testApp, useTicketsDatabase, useTicketsListeners } from '../../test-support';

const database = useTicketsDatabase();
const listeners = useTicketsListeners(database);

async function setup() {
  const ticket = await seedTicket(database(), { title: 'Opera', priceCents: 5_000 });
  const app = testApp(database());
  const listed = async () => ((await request(app).get('/api/tickets')).body as { id: string }[]).some((t) => t.id === ticket.id);
  /** The ticket's status on its seller's desk (GET /api/tickets/mine). */
  const deskStatus = async () =>
    ((await request(app).get('/api/tickets/mine').set('Cookie', sessionCookie({ id: ticket.userId }))).body as { id: string; status: string }[]).find((t) => t.id === ticket.id)?.status;
  return { harness: listeners(), ticket, app, listed, deskStatus };
}

const offered = (ticketId: string, version: number): EventData<'order:waitlist-offered'> => ({
  id: randomUUID(),
  version,
  ticket: { id: ticketId },
  userId: randomUUID(),
  offerExpiresAt: new Date(Date.now() + 300_000).toISOString(),
});
const ended = (offer: EventData<'order:waitlist-offered'>, outcome: 'lapsed' | 'ordered' | 'left' = 'lapsed'): EventData<'order:waitlist-offer-ended'> => ({
  id: offer.id,
  version: offer.version + 1,
  ticket: offer.ticket,
  outcome,
});

describe('waiting-list offers in tickets', () => {
  it('keeps a ticket under an offer off the listing, reserved on its seller\'s desk and out of their edits, until the offer ends', async () => {
    const { harness, ticket, app, listed, deskStatus } = await setup();
    expect(await listed()).toBe(true);
    expect(await deskStatus()).toBe('available');
    const offer = offered(ticket.id, 1);
    await harness.publish('order:waitlist-offered', offer);
    await harness.settled('order:waitlist-offered');

    expect(await readTicket(database(), ticket.id)).toMatchObject({ waitlistOfferId: offer.id, waitlistVersion: 1, orderId: null, version: 1 });
    expect(await listed()).toBe(false);
    expect(await deskStatus()).toBe('reserved');
    const edit = await request(app).put(`/api/tickets/${ticket.id}`).set('Cookie', sessionCookie({ id: ticket.userId })).send({ title: 'Opera', price: 60 });
    expect(edit.body).toEqual({ errors: [{ message: 'Ticket is reserved' }] });

    await harness.publish('order:waitlist-offer-ended', ended(offer));
    await harness.settled('order:waitlist-offer-ended');
    expect(await readTicket(database(), ticket.id)).toMatchObject({ waitlistOfferId: null, waitlistVersion: 2 });
    expect(await listed()).toBe(true);
    expect(await deskStatus()).toBe('available');
  });

  it('applies offers in version order: an end that overtakes its offer waits, the next offer after it holds', async () => {
    const { harness, ticket, listed } = await setup();
    const first = offered(ticket.id, 1);
    const second = offered(ticket.id, 3);
    await harness.publish('order:waitlist-offered', second);
    await harness.publish('order:waitlist-offer-ended', ended(first));
    await harness.heldBack('order:waitlist-offer-ended');
    expect(await readTicket(database(), ticket.id)).toMatchObject({ waitlistOfferId: null, waitlistVersion: 0 });

    await harness.publish('order:waitlist-offered', first);
    await harness.settled('order:waitlist-offered');
    await harness.settled('order:waitlist-offer-ended');
    expect(await readTicket(database(), ticket.id)).toMatchObject({ waitlistOfferId: second.id, waitlistVersion: 3 });
    expect(await listed()).toBe(false);
  });

  it('changes nothing when the same offer event arrives twice', async () => {
    const { harness, ticket } = await setup();
    const offer = await harness.publish('order:waitlist-offered', offered(ticket.id, 1));
    await harness.settled('order:waitlist-offered');
    await harness.redeliver(offer);
    await harness.publish('order:waitlist-offered', offer.data); // a copy under a new event id
    await harness.settled('order:waitlist-offered');
    expect(await readTicket(database(), ticket.id)).toMatchObject({ waitlistOfferId: offer.data.id, waitlistVersion: 1, version: 1 });
  });
});
