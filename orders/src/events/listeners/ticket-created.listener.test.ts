import { randomUUID } from 'node:crypto';
import { silentLogger } from '@microtick/common/testing';
import { readTicket, useOrdersListeners } from '../../test-support';
import { ticketCreated } from './ticket-created.listener';

const { database, harness } = useOrdersListeners();

const created = () => ({ id: randomUUID(), version: 0, title: 'Jazz night', price: 1_234_567.89, userId: randomUUID() });

describe('ticket:created', () => {
  it('adds the ticket to the replica with its price in exact cents', async () => {
    const data = created();
    const event = await harness().publish('ticket:created', data);
    await harness().settled(event.type);
    expect(await readTicket(database().db, data.id)).toMatchObject({ title: 'Jazz night', priceCents: 123_456_789, userId: data.userId, version: 0 });
  });

  it('applies a delivery that arrives twice only once', async () => {
    const data = created();
    const event = await harness().publish('ticket:created', data);
    await harness().settled(event.type);
    await harness().redeliver(event);
    // The same creation under a new event id (a re-publish) is stale: version 0 is already held.
    const republished = await harness().publish('ticket:created', { ...data, title: 'Changed' });
    await harness().settled(republished.type);
    expect(await readTicket(database().db, data.id)).toMatchObject({ title: 'Jazz night', version: 0 });
  });

  it('adds a batch of tickets in one transaction, a known one left as it is', async () => {
    const known = created();
    await harness().settled((await harness().publish('ticket:created', known)).type);
    const batch = [...Array.from({ length: 5 }, created), { ...known, title: 'Changed' }];
    const envelopes = batch.map((data) => ({ id: randomUUID(), type: 'ticket:created' as const, occurredAt: new Date().toISOString(), data }));
    const delivery = { streamSequence: 1, firstSeenAt: Date.now(), caughtUpWith: async () => true };
    await database().db.transaction((tx) => ticketCreated.handleBatch!(envelopes, { tx, logger: silentLogger }, envelopes.map(() => delivery)));

    for (const data of batch.slice(0, 5)) expect(await readTicket(database().db, data.id)).toMatchObject({ title: 'Jazz night', userId: data.userId, version: 0 });
    expect(await readTicket(database().db, known.id)).toMatchObject({ title: 'Jazz night', version: 0 });
  });

  it('adds every ticket of a burst exactly once', async () => {
    const burst = Array.from({ length: 30 }, created);
    const events = await Promise.all(burst.map((data) => harness().publish('ticket:created', data)));
    await Promise.all(events.slice(0, 5).map((event) => harness().redeliver(event)));
    await harness().settled('ticket:created');
    for (const data of burst) expect(await readTicket(database().db, data.id)).toMatchObject({ title: 'Jazz night', userId: data.userId, version: 0 });
  });
});
