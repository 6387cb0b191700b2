import { z } from 'zod';
import { id, price, version } from './primitives';

/** tickets → orders: a ticket was listed. */
export const ticketCreated = z.object({ id, version, title: z.string(), price, userId: id });
export type TicketCreated = z.infer<typeof ticketCreated>;
