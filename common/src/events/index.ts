export * from './catalogue';
export { orderStatus, type OrderStatus } from './primitives';
/** The money rule of the contract (> 0, at most 2 decimals), for routes that accept prices. */
export { price as moneyAmount } from './primitives';
export type { TicketCreated } from './ticket-created';
export type { TicketUpdated } from './ticket-updated';
export type { OrderCreated } from './order-created';
export type { OrderCancelled } from './order-cancelled';
export type { OrderCompleted } from './order-completed';
export type { PaymentCreated } from './payment-created';
export type { ExpirationComplete } from './expiration-complete';
export type { WaitlistOffered } from './order-waitlist-offered';
export { offerOutcome, type OfferOutcome, type WaitlistOfferEnded } from './order-waitlist-offer-ended';
export type { ExpirationOfferExpired } from './expiration-offer-expired';
