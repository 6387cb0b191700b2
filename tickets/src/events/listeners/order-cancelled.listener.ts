import { defineListener, versionedReplica } from '@microtick/common';
import { ordersReplica } from '../../db/schema';
import { lockTicketForOrder, ORDER_EVENT_MAX_DELIVER, setTicketHolder } from '../../tickets/ticket-holder';

const orders = versionedReplica(ordersReplica, { what: 'order' });

/**
 * order:cancelled → the ticket goes back on sale, but only if this order still holds it
 * (SPEC §4). Waits for the order's creation when it overtook it (see order-created.listener.ts).
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  async handle({ data }, { tx }) {
    const ticket = await lockTicketForOrder(tx, data.ticket.id, data.id);
    // Before its creation arrived there is no replica yet: versionedReplica holds it back (RetryLater).
    const { applied } = await orders.apply(tx, data, { set: { status: 'cancelled' } });
    if (applied && ticket.orderId === data.id) await setTicketHolder(tx, ticket, null);
  },
});
