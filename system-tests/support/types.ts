/** The shapes SPEC §3 promises, as the system tests read them. */
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
  status: 'authorized' | 'requires_action';
  clientSecret?: string;
}
