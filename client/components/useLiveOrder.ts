'use client';

import { useEffect, useState } from 'react';
import type { Order } from '@/lib/types';

const isTerminal = (order: Order) => order.status === 'complete' || order.status === 'cancelled';

/**
 * The order as orders' live stream (GET /api/orders/:id/events) reports it: the server pushes
 * the order on connect and on every change, so the page neither polls nor reloads. EventSource
 * reconnects by itself after a network blip and gets a fresh snapshot; the stream is closed once
 * the order is complete or cancelled. Older versions never replace newer ones.
 */
export function useLiveOrder(initial: Order): Order {
  const [order, setOrder] = useState(initial);
  const terminal = isTerminal(order);

  useEffect(() => {
    if (terminal || typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/orders/${encodeURIComponent(initial.id)}/events`);
    source.addEventListener('order', (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as Order;
      setOrder((current) => (next.version >= current.version ? next : current));
      if (isTerminal(next)) source.close();
    });
    return () => source.close();
  }, [initial.id, terminal]);

  return order;
}
