'use client';

import { useRouter } from 'next/navigation';
import { UNEXPECTED_ANSWER } from '@/lib/api-errors';
import { signInHref } from '@/lib/next-path';
import type { Order } from '@/lib/types';
import { useApiAction } from './useApiAction';

/**
 * Reserves a ticket (POST /api/orders) and opens the new order to pay for it: the ticket page's
 * "Buy" and the waiting list's "Order now". Signed out, it goes to sign-in and back; refused
 * (400: someone else reserved it, or it is offered to someone on the waiting list), the current
 * page is read again so it shows the ticket as it is now.
 */
export function useOrderTicket(ticketId: string, returnTo: string): { pending: boolean; errors: string[]; order: () => Promise<void> } {
  const router = useRouter();
  const { pending, messages, send, fail } = useApiAction();

  async function order() {
    const result = await send<Order>('POST', '/api/orders', { ticketId }, { leavesOnSuccess: true });
    if (result.ok) {
      if (result.data?.id) router.push(`/orders/${result.data.id}`);
      else fail([UNEXPECTED_ANSWER]);
    } else if (result.status === 401) {
      window.location.assign(signInHref(returnTo));
    } else if (result.status === 400) {
      router.refresh();
    }
  }

  return { pending, errors: messages, order };
}
