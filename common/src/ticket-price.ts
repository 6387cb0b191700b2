import { price as eventPrice } from './events/primitives';

/** The payment provider's minimum charge: a ticket priced below it could be reserved but never paid. */
export const MIN_TICKET_PRICE = 0.5;
/** Generous for a resale ticket, and keeps cents far inside the 32-bit `price_cents` column. */
export const MAX_TICKET_PRICE = 1_000_000;

/**
 * A price as clients of the original course API send it: the text of an HTML input, `"25.00"`.
 * Plain decimal notation only: no sign, exponent, spaces, leading zeros or bare dot.
 */
export const DECIMAL_PRICE_TEXT = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;

export const TICKET_PRICE_MESSAGES = {
  notANumber: 'Price must be a number, or a decimal string such as "25.00"',
  tooLow: `Price must be at least ${MIN_TICKET_PRICE.toFixed(2)}, the smallest amount a card can be charged`,
  tooHigh: `Price must be at most ${MAX_TICKET_PRICE}`,
  decimals: 'Price must have at most 2 decimals',
} as const;

/**
 * The rule for a ticket's price at listing and edit (SPEC §3, §6): a JSON number or a decimal
 * string, from 0.50 to 1,000,000, at most 2 decimals; the answer is the number. The last check
 * is the events' own rule, so a price accepted here never makes addToOutbox reject the event.
 * A plain function, so a zod schema and other checks can all use it.
 */
export function checkTicketPrice(value: unknown): { ok: true; price: number } | { ok: false; message: string } {
  let price: number;
  if (typeof value === 'number') price = value;
  else if (typeof value === 'string' && DECIMAL_PRICE_TEXT.test(value)) price = Number(value);
  else return { ok: false, message: TICKET_PRICE_MESSAGES.notANumber };
  if (Number.isNaN(price)) return { ok: false, message: TICKET_PRICE_MESSAGES.notANumber };
  if (price < MIN_TICKET_PRICE) return { ok: false, message: TICKET_PRICE_MESSAGES.tooLow };
  if (price > MAX_TICKET_PRICE) return { ok: false, message: TICKET_PRICE_MESSAGES.tooHigh };
  if (!eventPrice.safeParse(price).success) return { ok: false, message: TICKET_PRICE_MESSAGES.decimals };
  return { ok: true, price };
}
