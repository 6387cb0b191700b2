'use client';

import { useEffect, useRef, useState } from 'react';
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

  // One stream per followed order, opened when it joins the followed few and closed when it leaves
  // (final, or pushed out by a newer one); the others stay connected.
  const streams = useRef(new Map<string, () => void>());
  useEffect(() => {
    const wanted = new Set(followed ? followed.split(',') : []);
    for (const [id, stop] of streams.current) {
      if (!wanted.has(id)) {
        stop();
        streams.current.delete(id);
      }
    }
    for (const id of wanted) {
      if (!streams.current.has(id)) streams.current.set(id, followOrder(id, (next) => setOrders((current) => withNewer(current, next))));
    }
  }, [followed]);
  useEffect(() => {
    const open = streams.current;
    return () => {
      open.forEach((stop) => stop());
      open.clear();
    };
  }, []);

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
