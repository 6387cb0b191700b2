import type { Order } from './types';
import { isFinalOrder } from './live-orders';

/**
 * Follows one order over orders' live stream (GET /api/orders/:id/events): the server sends the
 * order on connect and after every change, and EventSource reconnects by itself after a network
 * blip (getting a fresh snapshot). Closed once the order is final. Returns how to stop.
 */
export function followOrder(orderId: string, onOrder: (order: Order) => void): () => void {
  if (typeof EventSource === 'undefined') return () => undefined;
  const source = new EventSource(`/api/orders/${encodeURIComponent(orderId)}/events`);
  source.addEventListener('order', (event) => {
    const order = JSON.parse((event as MessageEvent<string>).data) as Order;
    onOrder(order);
    if (isFinalOrder(order)) source.close();
  });
  return () => source.close();
}
