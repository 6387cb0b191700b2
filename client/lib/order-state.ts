import type { OrderStatus, PaymentStatus } from './types';

/**
 * What an order page shows, derived from the order's status (as orders decided it), the time
 * left (by the server's clock) and the order's latest payment (as payments reports it).
 *
 * - `payable`: the window is open and the order can be paid.
 * - `action`: the card asks for an extra step (3-D Secure) before it is authorized.
 * - `confirming`: the card is authorized; orders has not decided yet. Never "paid".
 * - `paid`: orders completed the order (and payments takes the money).
 * - `voided`: the reservation ended before the authorization was confirmed; the hold is released.
 * - `expiring`: the window has closed but orders has not cancelled the order yet.
 * - `expired`: cancelled after its window closed (the usual way an order is cancelled).
 * - `cancelled`: cancelled before its window closed (the buyer cancelled it).
 */
export type OrderPhase = 'payable' | 'action' | 'confirming' | 'paid' | 'voided' | 'expiring' | 'expired' | 'cancelled';

/**
 * The page's estimate of the server's clock is off by up to a request's latency, and the live
 * stream reports the expiration within milliseconds of `expiresAt`: a cancellation this close to
 * the deadline is the expiration, not the buyer's.
 */
export const EXPIRY_CLOCK_TOLERANCE_MS = 3_000;

export function orderPhase(status: OrderStatus, remainingMs: number, payment?: PaymentStatus): OrderPhase {
  if (status === 'complete') return 'paid';
  if (status === 'cancelled') {
    // An authorization on a cancelled order is (being) voided: the card was not charged.
    if (payment === 'authorized' || payment === 'voided') return 'voided';
    return remainingMs > EXPIRY_CLOCK_TOLERANCE_MS ? 'cancelled' : 'expired';
  }
  if (payment === 'authorized' || payment === 'captured') return 'confirming';
  if (remainingMs <= 0) return 'expiring';
  return payment === 'requires_action' ? 'action' : 'payable';
}

/** The payment that speaks for the order: the newest one (a failed one only while no other exists). */
export function latestPayment<T extends { status: PaymentStatus }>(payments: readonly T[]): T | undefined {
  return payments.at(-1);
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

/** The order page's badge: "Paid" only once orders has completed the order. */
export function phaseBadge(phase: OrderPhase, status: OrderStatus, remainingMs: number): StatusBadge {
  if (phase === 'paid') return { label: 'Paid', tone: 'success' };
  if (phase === 'confirming') return { label: 'Confirming payment', tone: 'info' };
  if (phase === 'voided') return { label: 'Not charged', tone: 'neutral' };
  return statusBadge(status, remainingMs <= 0);
}
