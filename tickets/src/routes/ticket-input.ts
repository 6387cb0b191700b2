import { eventCatalogue, toCents } from '@microtick/common';
import type { Request } from 'express';
import { body, matchedData } from 'express-validator';

const MAX_TITLE_LENGTH = 200;
/** Generous for a resale ticket, and keeps cents far inside the 32-bit `price_cents` column. */
const MAX_PRICE = 1_000_000;

// The events' own price rule (> 0, at most 2 decimals): a price the route accepts can never make
// addToOutbox reject the event and turn a valid request into a 500.
const eventPrice = eventCatalogue['ticket:created'].shape.price;

/** The body of POST /api/tickets and PUT /api/tickets/:id: `{title, price}`. */
export const ticketInputRules = [
  body('title')
    .isString().withMessage('Title is required').bail()
    .trim()
    .notEmpty().withMessage('Title is required').bail()
    .isLength({ max: MAX_TITLE_LENGTH }).withMessage(`Title must be at most ${MAX_TITLE_LENGTH} characters`).bail()
    // Postgres text cannot hold NUL, and no title needs a control character.
    .matches(/^\P{Cc}*$/u).withMessage('Title must not contain control characters'),
  body('price')
    // JSON numbers only: "19.99" as a string is a client bug worth reporting, not guessing at.
    .custom((value) => typeof value === 'number').withMessage('Price must be a number').bail()
    .custom((value: number) => value > 0).withMessage('Price must be greater than 0').bail()
    .custom((value: number) => value <= MAX_PRICE).withMessage(`Price must be at most ${MAX_PRICE}`).bail()
    .custom((value: number) => eventPrice.safeParse(value).success).withMessage('Price must have at most 2 decimals'),
];

/** The validated (trimmed) body in storage units; only call after `ticketInputRules` and `validateRequest`. */
export function ticketInputOf(req: Request): { title: string; priceCents: number } {
  const { title, price } = matchedData<{ title: string; price: number }>(req, { locations: ['body'] });
  return { title, priceCents: toCents(price) };
}
