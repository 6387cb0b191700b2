import { sql, type SQL } from 'drizzle-orm';
import { tickets } from '../db/schema';

/**
 * A ticket row as JSON text, built by Postgres: the same bytes as
 * `JSON.stringify(ticketView(row))` (tickets/ticket-view.ts), member for member, so the listing
 * can answer Postgres' text as it comes instead of parsing each row into JS values (dates
 * included), mapping it and stringifying it again — most of the listing's CPU in Node
 * (docs/benchmarks-history.md, "Wave 5 — listing path"). ticket-json.test.ts compares the two for
 * titles that need escaping, every price form and each state.
 *
 * - One concat() call, cheaper for Postgres than a chain of `||` (each makes a new text); uuids
 *   as they print (hex and dashes: nothing to escape), numbers as they print.
 * - Titles through to_json: it escapes `"`, `\` and control characters as JSON.stringify does
 *   (`\n`, `\u001f` …; a Postgres text holds no lone surrogates, the one case where they differ).
 * - The price as the exact decimal cents / 100 without trailing zeros (trim_scale, Postgres 13+):
 *   what JS prints for `cents / 100` for every price a ticket can have (0.01 to 1,000,000, never
 *   in exponent form), and unlike a float8 independent of the session's extra_float_digits.
 */
export const ticketJsonText: SQL<string> = sql<string>`concat(
  '{"id":"', ${tickets.id},
  '","title":', to_json(${tickets.title}),
  ',"price":', trim_scale(${tickets.priceCents}::numeric / 100),
  ',"userId":"', ${tickets.userId},
  '","version":', ${tickets.version},
  ',"orderId":', coalesce(to_json(${tickets.orderId})::text, 'null'),
  ',"heldForWaitingList":', case when ${tickets.waitlistOfferId} is null then 'false' else 'true' end,
  '}')`;
