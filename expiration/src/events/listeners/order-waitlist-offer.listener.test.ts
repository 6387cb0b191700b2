import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventData, EventEnvelope } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { offerJobId } from '../../expiration/expiration-queue';
import { offerExpiredEventId } from '../../expiration/offer-expired.publisher';
import { createExpirationTestKit, handledOutcomes, orderCreatedData, type ExpirationTestKit } from '../../test-support';

let kit: ExpirationTestKit;
let offerExpiries: EventEnvelope<'expiration:offer-expired'>[];
beforeEach(async () => {
  kit = await createExpirationTestKit();
  offerExpiries = [];
  kit.bus.nc.subscribe(kit.bus.subjectFor('expiration:offer-expired'), {
    callback: (err, msg) => {
      if (!err) offerExpiries.push(msg.json());
    },
  });
  await kit.bus.nc.flush();
});
afterEach(() => kit.destroy());

const offer = (expiresInMs: number): EventData<'order:waitlist-offered'> => ({
  id: randomUUID(),
  version: 1,
  ticket: { id: randomUUID() },
  userId: randomUUID(),
  offerExpiresAt: new Date(Date.now() + expiresInMs).toISOString(),
});

describe('waiting-list offer deadlines', () => {
  it('publishes expiration:offer-expired when an offer\'s window passes, beside order expirations in the same queue', async () => {
    await kit.startWorker();
    await kit.startListeners();
    const offered = offer(300);
    const order = orderCreatedData(300);
    await kit.publish('order:waitlist-offered', offered);
    await kit.publish('order:created', order);

    await waitFor(() => offerExpiries.length === 1 && kit.received.length === 1, { what: 'both deadlines fired' });
    expect(offerExpiries[0]).toEqual({
      id: offerExpiredEventId(offered.id),
      type: 'expiration:offer-expired',
      occurredAt: offered.offerExpiresAt,
      data: { offerId: offered.id, ticketId: offered.ticket.id },
    });
    expect(kit.received[0]!.envelope.data.orderId).toBe(order.id);
  });

  it('drops the timer of an offer that ended, even when the end arrives first', async () => {
    await kit.startWorker();
    const metrics = await kit.startListeners();
    const used = offer(500);
    const endedFirst = offer(500);
    await kit.publish('order:waitlist-offered', used);
    await waitFor(() => kit.queue.getJob(offerJobId(used.id)), { what: 'timer armed' });
    await kit.publish('order:waitlist-offer-ended', { id: used.id, version: 2, ticket: used.ticket, outcome: 'ordered' });
    await kit.publish('order:waitlist-offer-ended', { id: endedFirst.id, version: 2, ticket: endedFirst.ticket, outcome: 'left' });
    await waitFor(async () => ((await handledOutcomes(metrics)).processed ?? 0) >= 3, { what: 'ends handled' });
    await kit.publish('order:waitlist-offered', endedFirst);
    await waitFor(async () => ((await handledOutcomes(metrics)).processed ?? 0) >= 4, { what: 'late offer handled' });

    expect(await kit.queue.getJob(offerJobId(used.id))).toBeUndefined();
    expect(await kit.queue.getJob(offerJobId(endedFirst.id))).toBeUndefined();
    await sleep(900);
    expect(offerExpiries).toEqual([]);
  });
});
