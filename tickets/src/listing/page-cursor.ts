import { isUuid, TICKET_SORTS, type TicketSort } from '@microtick/common';
import { z } from 'zod';

export type { TicketSort };

/**
 * Where a page ends, so the next one starts strictly after it: the row's sort key (created_at in
 * microseconds since 1970 for `newest`, price in cents otherwise) and its id, which breaks ties.
 * Integers, so the position is exact (a JS Date would drop created_at's microseconds and a page
 * could repeat or skip rows created within the same millisecond).
 */
export interface PageCursor {
  sort: TicketSort;
  key: number;
  id: string;
}

const cursorShape = z.object({
  s: z.enum(TICKET_SORTS),
  k: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  i: z.string().refine(isUuid),
});

/** Opaque to clients (base64url JSON): they follow the `Link` header, they do not build cursors. */
export const encodeCursor = ({ sort, key, id }: PageCursor): string =>
  Buffer.from(JSON.stringify({ s: sort, k: key, i: id })).toString('base64url');

/** The cursor in `raw`, or undefined when it is not one we could have made. */
export function decodeCursor(raw: string): PageCursor | undefined {
  if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorShape.safeParse(json);
  return parsed.success ? { sort: parsed.data.s, key: parsed.data.k, id: parsed.data.i } : undefined;
}
