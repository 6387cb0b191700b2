/** The shapes the HTTP API promises, as the system tests read them: defined once in common/src/api. */
export type { Order, OrderStatus, Payment, Ticket } from '@microtick/common/api';
