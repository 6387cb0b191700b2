/**
 * docs/asyncapi.yaml names each event's consuming services (eventParticipants in
 * common/src/api/asyncapi.ts); this checks that against the listeners the services really run,
 * so the description cannot drift from the code. No stack needed.
 */
import { eventParticipants } from '../common/src/api/asyncapi';
import type { EventType } from '../common/src/events/catalogue';
import { listeners as expirationListeners } from '../expiration/src/events/listeners';
import { listeners as ordersListeners } from '../orders/src/events/listeners';
import { listeners as paymentListeners } from '../payments/src/events/listeners';
import { listeners as ticketsListeners } from '../tickets/src/events/listeners';

const LISTENERS: Record<string, readonly { event: EventType }[]> = {
  tickets: ticketsListeners,
  orders: ordersListeners,
  payments: paymentListeners,
  expiration: expirationListeners,
};

test('the AsyncAPI description names exactly the services that consume each event', () => {
  const described = Object.fromEntries(Object.entries(eventParticipants).map(([event, { consumers }]) => [event, [...consumers].sort()]));
  const actual = Object.fromEntries(
    Object.keys(eventParticipants).map((event) => [event, Object.keys(LISTENERS).filter((service) => LISTENERS[service]!.some((listener) => listener.event === event)).sort()]),
  );
  expect(described).toEqual(actual);
});
