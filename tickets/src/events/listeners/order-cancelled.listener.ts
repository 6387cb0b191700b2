import { checkVersion, defineListener, RetryLater } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { orderReplicas } from '../../db/schema';
import { lockTicketForOrder, ORDER_EVENT_MAX_DELIVER, setTicketHolder } from './ticket-holder';

/**
 * order:cancelled → the ticket goes back on sale, but only if this order still holds it
 * (SPEC §4). Waits for the order's creation when it overtook it (see order-created.listener.ts).
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  async handle({ data }, { tx }) {
    const { ticket, order } = await lockTicketForOrder(tx, data.ticket.id, data.id);
    if (!order) throw new RetryLater(`order ${data.id} cancelled before its creation arrived`);
    if (checkVersion(order.version, data.version, `order ${data.id}`) === 'stale') return;
    await tx.update(orderReplicas).set({ status: 'cancelled', version: data.version }).where(eq(orderReplicas.id, data.id));
    if (ticket.orderId === data.id) await setTicketHolder(tx, ticket, null);
  },
});
