'use client';

import { useEffect, useState } from 'react';
import { apiRequest } from '@/lib/browser-api';
import { nextDeadline, ordersToFollow, withNewer } from '@/lib/live-orders';
import { followOrder } from '@/lib/order-stream';
import type { Order } from '@/lib/types';

/**
 * A list of the user's orders that stays current without a reload, cheaply: the orders that can
 * still change (the newest few) are followed over the same live stream the order page uses,
 * closed as each becomes final; the whole list is read again when the user comes back to the tab
 * (new orders from elsewhere, any open order beyond the few); and the list is drawn again when an
 * unpaid order's deadline passes. Nothing polls.
 */
export function useLiveOrders(initial: Order[], serverNow: number): { orders: Order[]; now: number } {
  const [orders, setOrders] = useState(initial);
  const [now, setNow] = useState(serverNow);
  const followed = ordersToFollow(orders).join(',');

  useEffect(() => {
    if (!followed) return;
    const stops = followed.split(',').map((id) => followOrder(id, (next) => setOrders((current) => withNewer(current, next))));
    return () => stops.forEach((stop) => stop());
  }, [followed]);

  useEffect(() => {
    const reread = async () => {
      if (document.visibilityState !== 'visible') return;
      const result = await apiRequest<Order[]>('GET', '/api/orders');
      if (result.ok && Array.isArray(result.data)) setOrders(result.data);
      setNow(Date.now());
    };
    document.addEventListener('visibilitychange', reread);
    window.addEventListener('focus', reread);
    return () => {
      document.removeEventListener('visibilitychange', reread);
      window.removeEventListener('focus', reread);
    };
  }, []);

  useEffect(() => {
    const at = nextDeadline(orders, now);
    if (at === undefined) return;
    const timer = setTimeout(() => setNow(Date.now()), at - Date.now() + 50);
    return () => clearTimeout(timer);
  }, [orders, now]);

  return { orders, now };
}
