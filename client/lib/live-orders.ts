import type { Order } from './types';

/** Complete and cancelled orders never change again: nothing to follow. */
export const isFinalOrder = (order: Pick<Order, 'status'>): boolean => order.status === 'complete' || order.status === 'cancelled';

/**
 * How many orders a list follows live, each over its own event stream: browsers open at most
 * six connections per origin over HTTP/1.1, and the page needs some for itself. An open order
 * beyond these is seen when the list is read again (on returning to the tab).
 */
export const MAX_FOLLOWED_ORDERS = 3;

/** The orders a list follows: the newest ones that can still change, in the list's order. */
export function ordersToFollow(orders: readonly Order[], max = MAX_FOLLOWED_ORDERS): string[] {
  return orders.filter((order) => !isFinalOrder(order)).slice(0, max).map((order) => order.id);
}

/** The list with one order replaced by a newer version of it (an older or unknown one changes nothing). */
export function withNewer(orders: readonly Order[], next: Order): Order[] {
  const index = orders.findIndex((order) => order.id === next.id);
  const current = orders[index];
  if (!current || next.version < current.version) return orders as Order[];
  return orders.map((order, i) => (i === index ? next : order));
}

/** When the list must be drawn again because an unpaid order's deadline passes: the earliest such deadline (ms), if any. */
export function nextDeadline(orders: readonly Order[], now: number): number | undefined {
  const deadlines = orders.filter((order) => !isFinalOrder(order)).map((order) => Date.parse(order.expiresAt)).filter((at) => at > now);
  return deadlines.length ? Math.min(...deadlines) : undefined;
}
