import { defineListener, versionedReplica, type DbExecutor, type EventData } from '@microtick/common';
import { ordersReplica } from '../../db/schema';
import { lockTicketChangingOrder, ORDER_EVENT_MAX_DELIVER, ORDER_EVENT_WINDOW_MS, setTicketHolder, type LockedTicket } from '../../tickets/ticket-holder';
import { lockTicketsCancellingOrders } from '../../tickets/ticket-releases';

const orders = versionedReplica(ordersReplica, { what: 'order' });

/**
 * order:cancelled → the ticket goes back on sale, but only if this order still holds it
 * (SPEC §4). Waits for the order's creation when it overtook it (see order-created.listener.ts).
 *
 * Cancellations that arrive together (a burst of expiries) are applied together: the tickets'
 * locks, the replica changes and the releases of the usual case in one statement, the rest of
 * each exactly as alone. When anything fails (a cancellation not applicable yet, an unknown
 * ticket), the runner handles each event alone, so a wait or a dead letter stays that event's.
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  batchWindowMs: ORDER_EVENT_WINDOW_MS,
  async handle({ data }, { tx }) {
    // The usual case is applied, and the ticket released, with the ticket's lock in one statement;
    // otherwise versionedReplica decides. Before its creation arrived there is no replica yet: it
    // holds the event back (RetryLater).
    await release(tx, data, await lockTicketChangingOrder(tx, data, 'cancelled'));
  },
  async handleBatch(events, { tx }) {
    const cancellations = events.map(({ data }) => data);
    // Two cancellations of one ticket (one order after another) must see each other's effect: one by one, in order.
    if (new Set(cancellations.map((order) => order.ticket.id)).size < cancellations.length) {
      for (const data of cancellations) await release(tx, data, await lockTicketChangingOrder(tx, data, 'cancelled'));
      return;
    }
    const locked = await lockTicketsCancellingOrders(tx, cancellations);
    for (const [i, data] of cancellations.entries()) {
      const ticket = locked[i];
      if (!ticket) throw new Error(`ticket ${data.ticket.id} of order ${data.id} does not exist`);
      await release(tx, data, ticket);
    }
  },
});

/** What follows the ticket's lock: the replica change if the locking statement could not make it, and the release. */
async function release(tx: DbExecutor, data: EventData<'order:cancelled'>, locked: LockedTicket): Promise<void> {
  const applied = locked.applied || (await orders.apply(tx, data, { set: { status: 'cancelled' } })).applied;
  if (applied && locked.ticket.orderId === data.id) await setTicketHolder(tx, locked, null);
}
