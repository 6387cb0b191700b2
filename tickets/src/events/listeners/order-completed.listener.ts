import { defineListener, versionedReplica } from '@microtick/common';
import { ordersReplica } from '../../db/schema';
import { lockTicketChangingOrder, ORDER_EVENT_MAX_DELIVER, ORDER_EVENT_WINDOW_MS } from '../../tickets/ticket-holder';

const orders = versionedReplica(ordersReplica, { what: 'order' });

/**
 * order:completed → the ticket is sold: the order replica records `complete` (version 1) and the
 * ticket stays held by that order for good (it is not released and cannot be edited or ordered).
 * Nothing is published. Waits for the order's creation when it overtook it, like order:cancelled.
 */
export const orderCompleted = defineListener({
  event: 'order:completed',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  batchWindowMs: ORDER_EVENT_WINDOW_MS,
  async handle({ data }, { tx }) {
    const locked = await lockTicketChangingOrder(tx, data, 'complete');
    if (!locked.applied) await orders.apply(tx, data, { set: { status: 'complete' } });
  },
});
