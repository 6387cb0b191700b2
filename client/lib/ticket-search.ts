/**
 * The listing's search, filters, sort and page as they live in the page URL (`/?q=…&sort=…`),
 * so a search is shareable and the back button walks through it. The API validates; this only
 * decides what to pass on and how to link.
 */

export const SORTS = [
  { value: 'newest', label: 'Newest first' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
] as const;
export type SortValue = (typeof SORTS)[number]['value'];

export interface TicketSearch {
  q: string;
  minPrice: string;
  maxPrice: string;
  sort: SortValue;
  /** The API's cursor for this page; empty on the first page. */
  cursor: string;
}

type RawParams = Record<string, string | string[] | undefined>;

const first = (raw: string | string[] | undefined): string => (Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '')).trim();
const isSort = (value: string): value is SortValue => SORTS.some((sort) => sort.value === value);

export function parseTicketSearch(params: RawParams): TicketSearch {
  const sort = first(params.sort);
  return {
    q: first(params.q),
    minPrice: first(params.minPrice),
    maxPrice: first(params.maxPrice),
    sort: isSort(sort) ? sort : 'newest',
    cursor: first(params.cursor),
  };
}

/** The non-default parts of a search as query parameters, in a stable order. */
function searchParams(search: TicketSearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.q) params.set('q', search.q);
  if (search.minPrice) params.set('minPrice', search.minPrice);
  if (search.maxPrice) params.set('maxPrice', search.maxPrice);
  if (search.sort !== 'newest') params.set('sort', search.sort);
  if (search.cursor) params.set('cursor', search.cursor);
  return params;
}

/** GET /api/tickets for this search and page, `limit` per page. */
export function ticketsApiPath(search: TicketSearch, limit: number): string {
  const params = searchParams(search);
  params.set('limit', String(limit));
  return `/api/tickets?${params.toString()}`;
}

/** The listing page's URL for a search (a cursor selects a later page). */
export function listingHref(search: TicketSearch, path = '/'): string {
  const query = searchParams(search).toString();
  return query ? `${path}?${query}` : path;
}

/** The cursor in the API's `Link: <…?cursor=…>; rel="next"` header, if there is a next page. */
export function nextCursor(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match || !/\brel="?next"?/.test(match[2] ?? '')) continue;
    const cursor = new URL(match[1]!, 'http://placeholder').searchParams.get('cursor');
    if (cursor) return cursor;
  }
  return undefined;
}

export const isFiltered = (search: TicketSearch): boolean => Boolean(search.q || search.minPrice || search.maxPrice);
