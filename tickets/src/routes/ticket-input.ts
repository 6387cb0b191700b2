import { checkTicketPrice, toCents } from '@microtick/common';
import type { Request } from 'express';
import { body, matchedData } from 'express-validator';

const MAX_TITLE_LENGTH = 200;

/** The body of POST /api/tickets and PUT /api/tickets/:id: `{title, price}`. */
export const ticketInputRules = [
  body('title')
    .isString().withMessage('Title is required').bail()
    .trim()
    .notEmpty().withMessage('Title is required').bail()
    .isLength({ max: MAX_TITLE_LENGTH }).withMessage(`Title must be at most ${MAX_TITLE_LENGTH} characters`).bail()
    // Postgres text cannot hold NUL, and no title needs a control character.
    .matches(/^\P{Cc}*$/u).withMessage('Title must not contain control characters'),
  // A JSON number or a decimal string ("25.00"), 0.50 to 1,000,000, at most 2 decimals (common's checkTicketPrice).
  body('price')
    .custom((value: unknown) => {
      const checked = checkTicketPrice(value);
      if (!checked.ok) throw new Error(checked.message);
      return true;
    })
    .customSanitizer((value: unknown) => {
      const checked = checkTicketPrice(value);
      return checked.ok ? checked.price : value;
    }),
];

/** The validated (trimmed) body in storage units; only call after `ticketInputRules` and `validateRequest`. */
export function ticketInputOf(req: Request): { title: string; priceCents: number } {
  const { title, price } = matchedData<{ title: string; price: number }>(req, { locations: ['body'] });
  return { title, priceCents: toCents(price) };
}
