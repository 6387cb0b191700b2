export * from './catalogue';
export { orderStatus, type OrderStatus } from './primitives';
export type { TicketCreated } from './ticket-created';
export type { TicketUpdated } from './ticket-updated';
export type { OrderCreated } from './order-created';
export type { OrderCancelled } from './order-cancelled';
export type { PaymentCreated } from './payment-created';
export type { ExpirationComplete } from './expiration-complete';
