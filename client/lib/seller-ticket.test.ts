import { canEdit, myTicketsHref, sellerTicketBadge } from './seller-ticket';

describe("the seller's desk", () => {
  it('names each status with a badge', () => {
    expect(sellerTicketBadge('available')).toEqual({ label: 'On sale', tone: 'info' });
    expect(sellerTicketBadge('reserved')).toEqual({ label: 'Reserved', tone: 'warning' });
    expect(sellerTicketBadge('sold')).toEqual({ label: 'Sold', tone: 'success' });
  });
  it('offers editing only while the ticket is on sale', () => {
    expect(canEdit({ status: 'available' })).toBe(true);
    expect(canEdit({ status: 'reserved' })).toBe(false);
    expect(canEdit({ status: 'sold' })).toBe(false);
  });
  it('links pages by cursor', () => {
    expect(myTicketsHref()).toBe('/my-tickets');
    expect(myTicketsHref('a-b_c')).toBe('/my-tickets?cursor=a-b_c');
  });
});
