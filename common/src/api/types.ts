/**
 * The JSON shapes of the HTTP API, inferred from the zod schemas the routes are described
 * with: `import type { Ticket } from '@microtick/common/api'`. Types only (nothing to bundle),
 * for the services' views, the web client and the system tests.
 */
import type { z } from 'zod';
import type { orderJson, ticketCodeJson } from './orders';
import type { paymentJson, paymentRecordJson } from './payments';
import type { errorItemJson } from './route-definition';
import type { checkInJson, sellerSummaryJson, sellerTicketJson, ticketJson } from './tickets';
import type { userJson } from './users';
import type { waitlistEntryJson } from './waitlist';

export type CurrentUser = z.output<typeof userJson>;
export type Ticket = z.output<typeof ticketJson>;
export type Order = z.output<typeof orderJson>;
export type OrderStatus = Order['status'];
export type Payment = z.output<typeof paymentJson>;
export type PaymentRecord = z.output<typeof paymentRecordJson>;
export type PaymentStatus = PaymentRecord['status'];
export type ApiErrorItem = z.output<typeof errorItemJson>;
export type SellerTicket = z.output<typeof sellerTicketJson>;
export type SellerSummary = z.output<typeof sellerSummaryJson>;
export type TicketCode = z.output<typeof ticketCodeJson>;
export type CheckIn = z.output<typeof checkInJson>;
export type WaitlistEntry = z.output<typeof waitlistEntryJson>;
export type WaitlistStatus = WaitlistEntry['status'];
