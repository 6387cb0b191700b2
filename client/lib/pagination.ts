/** Listings show this many items per page and follow the API's `Link` header to the next one. */
export const PAGE_SIZE = 20;
