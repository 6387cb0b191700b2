import { checkVersion, defineListener, RetryLater } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { orderReplicas } from '../../db/schema';
import { lockTicketForOrder, ORDER_EVENT_MAX_DELIVER } from './ticket-holder';

/**
 * order:completed → the ticket is sold: the order replica records `complete` (version 1) and the
 * ticket stays held by that order for good (it is not released and cannot be edited or ordered).
 * Nothing is published. Waits for the order's creation when it overtook it, like order:cancelled.
 */
export const orderCompleted = defineListener({
  event: 'order:completed',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  async handle({ data }, { tx }) {
    const { order } = await lockTicketForOrder(tx, data.ticket.id, data.id);
    if (!order) throw new RetryLater(`order ${data.id} completed before its creation arrived`);
    if (checkVersion(order.version, data.version, `order ${data.id}`) === 'stale') return;
    await tx.update(orderReplicas).set({ status: 'complete', version: data.version }).where(eq(orderReplicas.id, data.id));
  },
});
