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

export interface ApiErrorItem {
  message: string;
  field?: string;
}

/** GET /api/tickets/mine: a seller's ticket and where it stands. */
export interface SellerTicket extends Ticket {
  status: 'available' | 'reserved' | 'sold';
  checkedInAt: string | null;
}

/** GET /api/tickets/mine/summary. */
export interface SellerSummary {
  available: number;
  reserved: number;
  sold: number;
  soldTotal: number;
}
