import { toCents, type TicketInput } from '@microtick/common';

/**
 * The body of POST /api/tickets and PUT /api/tickets/:id, validated and trimmed by its schema
 * in common/src/api/tickets.ts, in storage units.
 */
export const ticketInputOf = ({ title, price }: TicketInput): { title: string; priceCents: number } => ({ title, priceCents: toCents(price) });
