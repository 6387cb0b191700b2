import type { OrderStatus } from './types';

/**
 * What an order page shows, derived from the order's status, the time left (by the server's
 * clock) and whether this page has just paid for it.
 *
 * - `payable`: the window is open and the order can be paid.
 * - `paid`: the order is complete, or a payment was just accepted (the order service learns
 *   of it through an event a moment later).
 * - `expiring`: the window has closed but the order service has not cancelled the order yet;
 *   the page shows the expired state and keeps polling until it does.
 * - `expired`: cancelled after its window closed (the usual way an order is cancelled).
 * - `cancelled`: cancelled before its window closed (the buyer cancelled it).
 */
export type OrderPhase = 'payable' | 'paid' | 'expiring' | 'expired' | 'cancelled';

export function orderPhase(status: OrderStatus, remainingMs: number, paidHere = false): OrderPhase {
  if (status === 'complete' || paidHere) return 'paid';
  if (status === 'cancelled') return remainingMs > 0 ? 'cancelled' : 'expired';
  return remainingMs > 0 ? 'payable' : 'expiring';
}

/** Whether the page should keep re-fetching the order to learn its next state. */
export function shouldPoll(phase: OrderPhase, status: OrderStatus): boolean {
  if (phase === 'expiring') return true;
  return phase === 'paid' && status !== 'complete';
}

export type BadgeTone = 'info' | 'warning' | 'success' | 'neutral' | 'danger';

export interface StatusBadge {
  label: string;
  tone: BadgeTone;
}

/** Badge for an order in a list, where an unpaid order past its deadline reads "Expired". */
export function statusBadge(status: OrderStatus, expired = false): StatusBadge {
  switch (status) {
    case 'created':
      return expired ? { label: 'Expired', tone: 'neutral' } : { label: 'Awaiting payment', tone: 'warning' };
    case 'awaiting:payment':
      return expired ? { label: 'Expired', tone: 'neutral' } : { label: 'Processing payment', tone: 'info' };
    case 'complete':
      return { label: 'Complete', tone: 'success' };
    case 'cancelled':
      return { label: 'Cancelled', tone: 'danger' };
  }
}
