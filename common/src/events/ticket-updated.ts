import { z } from 'zod';
import { id, price, version } from './primitives';

/** tickets → orders: a ticket changed (edited, reserved by an order, or released). */
export const ticketUpdated = z.object({ id, version, title: z.string(), price, userId: id, orderId: id.nullable() });
export type TicketUpdated = z.infer<typeof ticketUpdated>;
