import { z } from 'zod';
import { price as eventPrice } from '../events/primitives';
import { defineRoute, errors, idParam, json, uuid } from './route-definition';

const MAX_TITLE_LENGTH = 200;
/** Generous for a resale ticket, and keeps cents far inside the 32-bit `price_cents` column. */
const MAX_PRICE = 1_000_000;
/** What GET /api/tickets answers without `?limit=`. */
export const DEFAULT_TICKET_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** Deeper than anyone pages by hand; past it, offset paging is the wrong tool anyway. */
const MAX_OFFSET = 1_000_000;

const title = z
  .string({ error: 'Title is required' })
  .trim()
  .min(1, 'Title is required')
  .max(MAX_TITLE_LENGTH, `Title must be at most ${MAX_TITLE_LENGTH} characters`)
  // Postgres text cannot hold NUL, and no title needs a control character.
  .regex(/^\P{Cc}*$/u, 'Title must not contain control characters')
  // zod-to-openapi would write the pattern with its `/u` flag appended.
  .meta({ pattern: '^\\P{Cc}*$' });

const priceTooHigh = `Price must be at most ${MAX_PRICE}`;
/**
 * JSON numbers only. A number too large for a double (`1e400`) arrives as Infinity and is
 * "too high", not "not a number". The last rule is the events' own (≥ 0.01, at most 2
 * decimals): a price the route accepts can never make addToOutbox reject the event.
 */
const price = z
  .number({ error: (issue) => (issue.input === Infinity ? priceTooHigh : issue.input === -Infinity ? 'Price must be greater than 0' : 'Price must be a number') })
  .gt(0, 'Price must be greater than 0')
  .max(MAX_PRICE, priceTooHigh)
  .refine((value) => eventPrice.safeParse(value).success, 'Price must have at most 2 decimals')
  .meta({ description: 'In currency units, at most 2 decimals (19.99).' });

/** The body of POST /api/tickets and PUT /api/tickets/:id. */
export const ticketInput = z.object({ title, price }).meta({ id: 'TicketInput' });
export type TicketInput = z.output<typeof ticketInput>;

/** An optional integer query parameter; a repeated one (`?limit=1&limit=2`) arrives as an array and is refused. */
const integerParam = (name: string, min: number, max: number) => {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return z
    .string({ error: message })
    .regex(/^[-+]?[0-9]+$/, message)
    .transform(Number)
    .pipe(z.number().int({ error: message }).min(min, message).max(max, message))
    .optional();
};

export const listTicketsQuery = z.object({
  limit: integerParam('Limit', 1, MAX_PAGE_SIZE).meta({ description: `Page size (default ${DEFAULT_TICKET_PAGE_SIZE}).` }),
  offset: integerParam('Offset', 0, MAX_OFFSET).meta({ description: 'Tickets to skip (default 0).' }),
});

export const ticketJson = z
  .object({
    id: uuid,
    title: z.string(),
    price: z.number().meta({ description: 'In currency units (19.99).' }),
    userId: uuid.meta({ description: 'The seller.' }),
    version: z.number().int(),
    orderId: uuid.nullable().meta({ description: 'The order holding the ticket, if any.' }),
  })
  .meta({ id: 'Ticket' });

const ticketParams = idParam('ticket');

export const ticketRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/tickets',
    summary: 'List a ticket for sale',
    auth: 'session',
    request: { body: ticketInput },
    responses: { 201: json(ticketJson, 'The new ticket'), ...errors({ 400: 'Invalid title or price', 401: 'Not signed in' }) },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/tickets',
    summary: 'Tickets for sale (not reserved), newest first',
    auth: 'none',
    request: { query: listTicketsQuery },
    responses: { 200: json(z.array(ticketJson), 'One page of tickets'), ...errors({ 400: 'Invalid paging parameters' }) },
  }),
  show: defineRoute({
    method: 'get',
    path: '/api/tickets/:id',
    summary: 'One ticket, reserved or not',
    auth: 'none',
    request: { params: ticketParams },
    responses: { 200: json(ticketJson, 'The ticket'), ...errors({ 404: 'No such ticket' }) },
  }),
  update: defineRoute({
    method: 'put',
    path: '/api/tickets/:id',
    summary: "Change a ticket's title and price (its seller, while nobody holds it)",
    auth: 'session',
    request: { params: ticketParams, body: ticketInput },
    responses: {
      200: json(ticketJson, 'The changed ticket'),
      ...errors({ 400: 'Invalid input, or the ticket is reserved', 401: 'Not signed in, or not the seller', 404: 'No such ticket', 409: 'Changed by someone else meanwhile' }),
    },
  }),
};
