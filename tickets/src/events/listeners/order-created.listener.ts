import { answersInOrder, defineListener, RetryLater, versionedReplica, type DbExecutor, type OrderCreated } from '@microtick/common';
import { ordersReplica } from '../../db/schema';
import { lockTicketCreatingOrderIfFree, ORDER_CREATED_WINDOW_MS, ORDER_EVENT_MAX_DELIVER, setTicketHolder, type LockedTicket } from '../../tickets/ticket-holder';

const orders = versionedReplica(ordersReplica, { what: 'order' });

/**
 * order:created → the ticket is reserved: its `orderId` is set, so it can be neither edited nor
 * ordered again, and ticket:updated tells orders.
 *
 * Why tickets keeps a replica of orders (id, ticket, status, version): order:created and
 * order:cancelled reach us on separate durable consumers, so they can arrive in either order.
 * Applying each order's events in version order (created = 0, cancelled = 1, `versionedReplica`)
 * turns both races into "not yet" retries instead of wrong states:
 * - cancelled(X) before created(X): there is no replica of X yet, so the cancellation waits.
 *   Dropping it instead would let the late created(X) lock the ticket forever.
 * - created(X) while an earlier order Y still holds the ticket: orders allows one live order per
 *   ticket, so Y is already cancelled and its event is on its way. created(X) waits for it to
 *   release the ticket: taking it now would assume Y is over instead of seeing it, and if Y were
 *   in fact paid, the sold ticket would be handed to X.
 * Every wait is for an event orders has already committed, so each one ends.
 */
export const orderCreated = defineListener({
  event: 'order:created',
  maxDeliver: ORDER_EVENT_MAX_DELIVER,
  batchWindowMs: ORDER_CREATED_WINDOW_MS,
  // The window gathers 35 orders at 700 a second; a batch's BEGIN, claims and COMMIT, its pool
  // connection and its acks cost the same for 20 as for 50.
  batchSize: 50,
  async handle({ data }, { tx }) {
    await holdForOrder(tx, data, await lockTicketCreatingOrderIfFree(tx, data));
  },
  /**
   * A window's orders in one transaction (one claim, no savepoint each), their locking
   * statements sent together: one round trip for all of them instead of one per order. Only
   * when every order is for another ticket: a statement then touches only its own ticket's and
   * order's rows, so sending it before the previous order's follow-up (holdForOrder) changes
   * nothing. Two orders for one ticket go one after the other, as in `handle`. All or nothing:
   * a wait (the ticket still held) or a failure rolls the window back and the runner handles
   * each order alone.
   */
  async handleBatch(events, { tx }) {
    const created = events.map(({ data }) => data);
    if (new Set(created.map((order) => order.ticket.id)).size < created.length) {
      for (const order of created) await holdForOrder(tx, order, await lockTicketCreatingOrderIfFree(tx, order));
      return;
    }
    const locked = await answersInOrder(created.map((order) => lockTicketCreatingOrderIfFree(tx, order)));
    for (const [i, order] of created.entries()) await holdForOrder(tx, order, locked[i]!);
  },
});

/** What follows the locking statement of an order's creation (lockTicketCreatingOrderIfFree). */
async function holdForOrder(tx: DbExecutor, data: OrderCreated, locked: LockedTicket): Promise<void> {
  // A free ticket and a new order: the replica row was inserted and the ticket held with the ticket's lock, in one statement.
  if (locked.applied) return setTicketHolder(tx, locked, data.id);
  const { ticket } = locked;
  // Otherwise, a free ticket: a duplicate finds the row there and is stale.
  // A held one: only an event already applied (stale) goes through; any other waits for the holder's end.
  const stillHeld = (): never => {
    throw new RetryLater(`ticket ${ticket.id} is still held by order ${ticket.orderId}`);
  };
  const { applied } = await orders.apply(tx, data, ticket.orderId ? { create: stillHeld } : { values: { ticketId: ticket.id, status: data.status } });
  if (applied) await setTicketHolder(tx, locked, data.id);
}
