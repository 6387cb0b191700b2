'use client';

import { useEffect, useState } from 'react';
import { isFinalOrder } from '@/lib/live-orders';
import { followOrder } from '@/lib/order-stream';
import type { Order } from '@/lib/types';

/**
 * The order as orders' live stream reports it: the page neither polls nor reloads, and the
 * stream is closed once the order is complete or cancelled. Older versions never replace newer ones.
 */
export function useLiveOrder(initial: Order): Order {
  const [order, setOrder] = useState(initial);
  const final = isFinalOrder(order);

  useEffect(() => {
    if (final) return;
    return followOrder(initial.id, (next) => setOrder((current) => (next.version >= current.version ? next : current)));
  }, [initial.id, final]);

  return order;
}
