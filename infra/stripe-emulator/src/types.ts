/**
 * The Stripe API objects the emulator returns, trimmed to the fields the PaymentIntents flow
 * uses. Field names are Stripe's (snake_case) because these objects go over the wire as-is.
 */

export type Metadata = Record<string, string>;

export interface CardDetails {
  brand: string;
  country: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  funding: 'credit' | 'debit';
  last4: string;
}

export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  billing_details: { address: null; email: null; name: null; phone: null };
  card: CardDetails;
  created: number;
  customer: null;
  livemode: false;
  metadata: Metadata;
  type: 'card';
}

export interface PaymentError {
  type: 'card_error';
  code: string;
  decline_code: string;
  message: string;
  param?: string;
  doc_url: string;
  charge: string;
  payment_method?: PaymentMethod;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export type CancellationReason = 'duplicate' | 'fraudulent' | 'requested_by_customer' | 'abandoned';

/** What a card asking for 3-D Secure wants the customer to do (Stripe.js handles `use_stripe_sdk`). */
export interface NextAction {
  type: 'use_stripe_sdk';
  use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string };
}

export interface AutomaticPaymentMethods {
  enabled: boolean;
  allow_redirects: 'always' | 'never';
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  /** Authorized and not captured yet (manual capture, `requires_capture`). */
  amount_capturable: number;
  allowed_payment_method_types: string[] | null;
  amount_received: number;
  automatic_payment_methods: AutomaticPaymentMethods | null;
  canceled_at: number | null;
  cancellation_reason: CancellationReason | null;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  client_secret: string;
  confirmation_method: 'automatic';
  created: number;
  currency: string;
  customer: null;
  description: string | null;
  last_payment_error: PaymentError | null;
  latest_charge: string | Charge | null;
  livemode: false;
  metadata: Metadata;
  next_action: NextAction | null;
  payment_method: string | PaymentMethod | null;
  payment_method_types: string[];
  receipt_email: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
}

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: null;
  captured: boolean;
  created: number;
  currency: string;
  description: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  outcome: {
    network_status: 'approved_by_network' | 'declined_by_network';
    reason: string | null;
    risk_level: 'normal';
    seller_message: string;
    type: 'authorized' | 'issuer_declined';
  };
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details: { type: 'card'; card: CardDetails };
  refunded: boolean;
  status: 'succeeded' | 'failed';
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: null;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: RefundReason | null;
  receipt_number: null;
  source_transfer_reversal: null;
  status: 'succeeded';
  transfer_reversal: null;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** What `GET /__emulator/charges` reports for every successful charge. */
export interface EmulatorChargeRecord {
  id: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
  metadata: Metadata;
  created: number;
  /** Cents given back so far; `refunded` once that is the whole amount. */
  amountRefunded: number;
  refunded: boolean;
  /** False while a manual-capture authorization waits for its capture (or after it was voided). */
  captured: boolean;
  amountCaptured: number;
  /** The authorization was cancelled before capture: the hold on the card was released, nothing was taken. */
  voided: boolean;
}
