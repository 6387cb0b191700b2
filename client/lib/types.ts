/**
 * Shapes of the MicroTick HTTP API, defined once in common/src/api (from the zod schemas the
 * routes validate with and docs/openapi.json describes) and imported here as types only.
 */
export type { ApiErrorItem, CurrentUser, Order, OrderStatus, Payment, PaymentRecord, PaymentStatus, SellerSummary, SellerTicket, Ticket, TicketCode, WaitlistEntry, WaitlistStatus } from '@microtick/common/api';
