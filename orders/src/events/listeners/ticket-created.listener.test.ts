import { randomUUID } from 'node:crypto';
import { readTicket, useOrdersListeners } from '../../test-support';

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
});
