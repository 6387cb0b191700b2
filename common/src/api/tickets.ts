import { z } from 'zod';
import { checkTicketPrice, DECIMAL_PRICE_TEXT, MAX_TICKET_PRICE, MIN_TICKET_PRICE, TICKET_PRICE_MESSAGES } from '../ticket-price';
import { defineRoute, errorResponseJson, errors, idParam, json, uuid } from './route-definition';

const MAX_TITLE_LENGTH = 200;
const MAX_PRICE = MAX_TICKET_PRICE;
/** What GET /api/tickets answers without `?limit=`. */
export const DEFAULT_TICKET_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/**
 * Offset paging reads and throws away every skipped row, so it is for the first pages a person
 * clicks through; deeper, the `Link` header's cursor (docs/features.md).
 */
export const MAX_TICKET_OFFSET = 10_000;
const MAX_SEARCH_LENGTH = 100;
/** Each word is one more condition; a dozen is more than any search box sees. */
const MAX_SEARCH_WORDS = 12;
export const TICKET_SORTS = ['newest', 'price_asc', 'price_desc'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];
export const INVALID_CURSOR = 'Cursor is invalid; follow the Link header of the previous page';

const title = z
  .string({ error: 'Title is required' })
  .trim()
  .min(1, 'Title is required')
  .max(MAX_TITLE_LENGTH, `Title must be at most ${MAX_TITLE_LENGTH} characters`)
  // Postgres text cannot hold NUL, and no title needs a control character.
  .regex(/^\P{Cc}*$/u, 'Title must not contain control characters')
  // zod-to-openapi would write the pattern with its `/u` flag appended.
  .meta({ pattern: '^\\P{Cc}*$' });

/**
 * common's checkTicketPrice, which the routes run: a JSON number or a decimal string (what an
 * HTML input sends, "25.00"), from 0.50 (the smallest card charge) to 1,000,000, at most 2
 * decimals; the answer is the number. The events' own rule is part of it, so a price the route
 * accepts can never make addToOutbox reject the event.
 */
const price = z
  .union(
    [
      z.number().meta({ description: 'In currency units, at most 2 decimals (19.99).', minimum: MIN_TICKET_PRICE, maximum: MAX_TICKET_PRICE }),
      z.string().meta({ description: 'Plain decimal text, as an HTML input sends it ("25.00").', pattern: DECIMAL_PRICE_TEXT.source }),
    ],
    // A number too large for a double (`1e400`) arrives as Infinity: "too high", not "not a number".
    { error: (issue) => (issue.input === Infinity ? TICKET_PRICE_MESSAGES.tooHigh : issue.input === -Infinity ? TICKET_PRICE_MESSAGES.tooLow : TICKET_PRICE_MESSAGES.notANumber) },
  )
  .transform((value, ctx) => {
    const checked = checkTicketPrice(value);
    if (checked.ok) return checked.price;
    ctx.addIssue({ code: 'custom', message: checked.message });
    return z.NEVER;
  })
  .meta({ description: `From ${MIN_TICKET_PRICE.toFixed(2)} (the smallest amount a card can be charged) to ${MAX_TICKET_PRICE}, at most 2 decimals; answered as a number.` });

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

/** `limit`, `offset` and `cursor`: how every ticket listing pages. */
const pageQuery = {
  limit: integerParam('Limit', 1, MAX_PAGE_SIZE).meta({ description: `Page size (default ${DEFAULT_TICKET_PAGE_SIZE}).` }),
  offset: integerParam('Offset', 0, MAX_TICKET_OFFSET).meta({ description: 'Tickets to skip (default 0); deeper pages use the cursor.' }),
  cursor: z
    .string({ error: INVALID_CURSOR })
    .max(200, INVALID_CURSOR)
    .regex(/^[A-Za-z0-9_-]+$/, INVALID_CURSOR)
    .optional()
    .meta({ description: 'Where the previous page ended: take it from that page\'s `Link: <…>; rel="next"` header. Not with `offset`.' }),
};

/** A price bound in a query string: `19.99`, in currency units. */
const priceBound = (label: 'Minimum' | 'Maximum') => {
  const message = `${label} price must be an amount from 0 to ${MAX_PRICE} with at most 2 decimals`;
  return z
    .string({ error: message })
    .regex(/^\d{1,7}(\.\d{1,2})?$/, message)
    .transform(Number)
    .pipe(z.number().max(MAX_PRICE, message))
    .optional()
    .meta({ description: `${label} price, inclusive, in currency units (19.99).` });
};

export const listTicketsQuery = z
  .object({
    q: z
      .string({ error: 'Search must be text' })
      .max(MAX_SEARCH_LENGTH, `Search must be at most ${MAX_SEARCH_LENGTH} characters`)
      .regex(/^\P{Cc}*$/u, 'Search must not contain control characters')
      .meta({ pattern: '^\\P{Cc}*$' })
      .transform((text) => text.split(/\s+/u).filter(Boolean))
      .refine((words) => words.length <= MAX_SEARCH_WORDS, `Search must have at most ${MAX_SEARCH_WORDS} words`)
      .optional()
      .meta({ description: 'Words that must each appear in the title, ignoring case and accents.' }),
    minPrice: priceBound('Minimum'),
    maxPrice: priceBound('Maximum'),
    sort: z
      .enum(TICKET_SORTS, { error: `Sort must be one of ${TICKET_SORTS.join(', ')}` })
      .optional()
      .meta({ description: 'Newest first (default), or by price.' }),
    ...pageQuery,
  })
  .refine((query) => query.minPrice === undefined || query.maxPrice === undefined || query.minPrice <= query.maxPrice, {
    path: ['minPrice'],
    message: 'Minimum price must not be above the maximum price',
  });

export const sellerTicketsQuery = z.object(pageQuery);

export const ticketJson = z
  .object({
    id: uuid,
    title: z.string(),
    price: z.number().meta({ description: 'In currency units (19.99).' }),
    userId: uuid.meta({ description: 'The seller.' }),
    version: z.number().int(),
    orderId: uuid.nullable().meta({ description: 'The order holding the ticket, if any.' }),
    heldForWaitingList: z.boolean().meta({
      description: 'Offered exclusively to the first buyer on its waiting list right now (no order holds it yet): only they can order it until the offer ends.',
    }),
  })
  .meta({ id: 'Ticket' });

export const sellerTicketJson = ticketJson
  .extend({
    status: z.enum(['available', 'reserved', 'sold']).meta({ description: 'On sale; held by an unpaid order (or a waiting-list offer); or its order completed.' }),
    checkedInAt: z.iso.datetime().nullable().meta({ description: 'When its buyer was checked in, if they were.' }),
  })
  .meta({ id: 'SellerTicket' });

export const sellerSummaryJson = z
  .object({
    available: z.number().int(),
    reserved: z.number().int(),
    sold: z.number().int(),
    soldTotal: z.number().meta({ description: 'What the sold tickets fetched, in currency units.' }),
  })
  .meta({ id: 'SellerSummary' });

export const checkInBody = z
  .object({ code: z.string({ error: 'Code is required' }).trim().min(1, 'Code is required').meta({ description: 'The ticket code (MT1.…) from the buyer\'s order.' }) })
  .meta({ id: 'CheckInRequest' });
export const checkInJson = z.object({ checkedInAt: z.iso.datetime() }).meta({ id: 'CheckIn' });
const checkInRepeatJson = errorResponseJson.extend({ checkedInAt: z.iso.datetime().meta({ description: 'When it was first checked in.' }) });

const nextPageLink = ' When there is a next page, `Link: <…&cursor=…>; rel="next"` points to it.';

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
    summary: 'Tickets for sale (not reserved), searched, filtered and sorted',
    auth: 'none',
    request: { query: listTicketsQuery },
    responses: { 200: json(z.array(ticketJson), `One page of tickets.${nextPageLink}`), ...errors({ 400: 'Invalid search, filter, sort or paging parameters' }) },
  }),
  mine: defineRoute({
    method: 'get',
    path: '/api/tickets/mine',
    summary: "The seller's desk: the caller's tickets, newest first, each with its status",
    auth: 'session',
    request: { query: sellerTicketsQuery },
    responses: { 200: json(z.array(sellerTicketJson), `One page of the caller's tickets.${nextPageLink}`), ...errors({ 400: 'Invalid paging parameters', 401: 'Not signed in' }) },
  }),
  mineSummary: defineRoute({
    method: 'get',
    path: '/api/tickets/mine/summary',
    summary: "Counts of the caller's tickets by status, and what the sold ones fetched",
    auth: 'session',
    request: {},
    responses: { 200: json(sellerSummaryJson, 'The totals'), ...errors({ 401: 'Not signed in' }) },
  }),
  checkIn: defineRoute({
    method: 'post',
    path: '/api/tickets/:id/checkins',
    summary: "Check in the holder of a ticket code (the ticket's seller)",
    auth: 'session',
    request: { params: ticketParams, body: checkInBody },
    responses: {
      201: json(checkInJson, 'Checked in'),
      409: json(checkInRepeatJson, 'Already checked in: when, and an error'),
      ...errors({ 400: 'Not a genuine code, or one for another ticket', 401: 'Not signed in, or not the seller', 404: 'No such ticket' }),
    },
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
