/** Shapes of the MicroTick HTTP API (SPEC §3). */

export interface CurrentUser {
  id: string;
  email: string;
}

export interface Ticket {
  id: string;
  title: string;
  price: number;
  userId: string;
  version: number;
  orderId: string | null;
}

export type OrderStatus = 'created' | 'awaiting:payment' | 'complete' | 'cancelled';

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  expiresAt: string;
  version: number;
  ticket: { id: string; title: string; price: number };
}

export interface Payment {
  id: string;
  orderId: string;
  stripeId: string;
}

/** An entry of `GET /api/orders/waitlist` (SPEC §6). */
export type WaitlistStatus = 'waiting' | 'offered' | 'expired' | 'ended';
export interface WaitlistEntry {
  ticketId: string;
  position: number;
  status: WaitlistStatus;
  offerExpiresAt?: string;
}

export interface ApiErrorItem {
  message: string;
  field?: string;
}
