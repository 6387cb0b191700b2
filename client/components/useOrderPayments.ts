'use client';

import { useCallback, useEffect, useState } from 'react';
import { apiRequest } from '@/lib/browser-api';
import type { Order, PaymentRecord } from '@/lib/types';

/** While an authorization on a cancelled order is being voided, ask again this often (a few times). */
const VOID_RECHECK_MS = 1_000;
const VOID_RECHECKS = 10;

/**
 * The order's payments (GET /api/payments?orderId=…), read on load and whenever the order
 * changes, so a reloaded page still knows "confirming" or "voided, not charged".
 */
export function useOrderPayments(order: Order): { payments: PaymentRecord[]; refresh: () => void } {
  const [payments, setPayments] = useState<PaymentRecord[]>([]);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let stopped = false;
    let rechecks = 0;
    const load = async () => {
      const result = await apiRequest<PaymentRecord[]>('GET', `/api/payments?orderId=${encodeURIComponent(order.id)}`);
      if (stopped || !result.ok) return;
      setPayments(result.data);
      // The void follows the cancellation within moments: look again until it is recorded.
      const voiding = order.status === 'cancelled' && result.data.at(-1)?.status === 'authorized';
      if (voiding && rechecks++ < VOID_RECHECKS) setTimeout(() => void load(), VOID_RECHECK_MS);
    };
    void load();
    return () => {
      stopped = true;
    };
  }, [order.id, order.status, order.version, generation]);

  return { payments, refresh };
}
