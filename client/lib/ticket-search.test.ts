import { listingHref, nextCursor, parseTicketSearch, ticketsApiPath } from './ticket-search';

describe('parseTicketSearch', () => {
  it('reads the search from the page URL, trimming and taking the first of repeated values', () => {
    expect(parseTicketSearch({ q: '  jazz ', minPrice: '10', maxPrice: ['20', '30'], sort: 'price_desc', cursor: 'abc' })).toEqual({
      q: 'jazz',
      minPrice: '10',
      maxPrice: '20',
      sort: 'price_desc',
      cursor: 'abc',
    });
  });
  it('falls back to newest first for an unknown sort, and to nothing for missing values', () => {
    expect(parseTicketSearch({ sort: 'cheapest' })).toEqual({ q: '', minPrice: '', maxPrice: '', sort: 'newest', cursor: '' });
  });
});

describe('links', () => {
  const search = parseTicketSearch({ q: 'jazz & blues', minPrice: '5', sort: 'price_asc' });
  it('asks the API for the search with a page size', () => {
    expect(ticketsApiPath(search, 21)).toBe('/api/tickets?q=jazz+%26+blues&minPrice=5&sort=price_asc&limit=21');
  });
  it('links to the listing with only what differs from the defaults', () => {
    expect(listingHref(search)).toBe('/?q=jazz+%26+blues&minPrice=5&sort=price_asc');
    expect(listingHref({ ...search, cursor: 'c1' })).toBe('/?q=jazz+%26+blues&minPrice=5&sort=price_asc&cursor=c1');
    expect(listingHref(parseTicketSearch({}))).toBe('/');
  });
});

describe('nextCursor', () => {
  it('finds the cursor of the rel="next" link', () => {
    expect(nextCursor('</api/tickets?q=jazz&limit=21&cursor=eyJz-_1>; rel="next"')).toBe('eyJz-_1');
    expect(nextCursor('</api/tickets?cursor=a>; rel="prev", </api/tickets?cursor=b>; rel="next"')).toBe('b');
  });
  it('is undefined without a next link', () => {
    expect(nextCursor(null)).toBeUndefined();
    expect(nextCursor('</api/tickets?cursor=a>; rel="prev"')).toBeUndefined();
    expect(nextCursor('garbage')).toBeUndefined();
  });
});
