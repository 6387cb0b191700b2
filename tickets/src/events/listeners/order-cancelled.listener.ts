import { defineListener, versionedReplica } from '@microtick/common';
import { ordersReplica } from '../../db/schema';
import { lockTicketChangingOrder, ORDER_EVENT_MAX_DELIVER, ORDER_EVENT_WINDOW_MS, setTicketHolder } from '../../tickets/ticket-holder';

const orders = versionedReplica(ordersReplica, { what: 'order' });

/**
 * order:cancelled → the ticket goes back on sale, but only if this order still holds it
 * (SPEC §4). Waits for the order's creation when it overtook it (see order-created.listener.ts).
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  batchWindowMs: ORDER_EVENT_WINDOW_MS,
  async handle({ data }, { tx }) {
    // The usual case is applied, and the ticket released, with the ticket's lock in one statement;
    // otherwise versionedReplica decides. Before its creation arrived there is no replica yet: it
    // holds the event back (RetryLater).
    const locked = await lockTicketChangingOrder(tx, data, 'cancelled');
    const applied = locked.applied || (await orders.apply(tx, data, { set: { status: 'cancelled' } })).applied;
    if (applied && locked.ticket.orderId === data.id) await setTicketHolder(tx, locked, null);
  },
});
