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

/** The answer to POST /api/payments: authorized (orders decides next), or waiting for the customer. */
export interface Payment {
  id: string;
  orderId: string;
  stripeId: string;
  status: 'authorized' | 'requires_action';
  /** With `requires_action`: for Stripe.js to run the card's extra step. */
  clientSecret?: string;
}

export type PaymentStatus = 'requires_action' | 'authorized' | 'captured' | 'voided' | 'failed';

/** One entry of GET /api/payments?orderId=… */
export interface PaymentRecord {
  id: string;
  orderId: string;
  stripeId: string;
  amount: number;
  status: PaymentStatus;
}

export interface ApiErrorItem {
  message: string;
  field?: string;
}
