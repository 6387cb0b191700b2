/** `?page=` ↔ the API's `limit`/`offset` (SPEC §3: GET /api/tickets). */

export const PAGE_SIZE = 20;

/** A page number from a query-string value: a positive integer, else 1. */
export function parsePage(raw: string | string[] | undefined): number {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d+$/.test(value)) return 1;
  const page = Number(value);
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

/**
 * The query for one page. It asks for one item more than it shows, so the page knows whether
 * there is a next one without a count endpoint.
 */
export function pageQuery(page: number, pageSize = PAGE_SIZE): { limit: number; offset: number } {
  return { limit: pageSize + 1, offset: (Math.max(1, page) - 1) * pageSize };
}

/** Splits what `pageQuery` fetched into the items to show and whether a next page exists. */
export function splitPage<T>(items: readonly T[], pageSize = PAGE_SIZE): { items: T[]; hasNext: boolean } {
  return { items: items.slice(0, pageSize), hasNext: items.length > pageSize };
}

/** The link for a page: page 1 is the bare path. */
export function pageHref(path: string, page: number): string {
  return page <= 1 ? path : `${path}?page=${page}`;
}
