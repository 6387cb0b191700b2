import type { BadgeTone } from './order-state';
import type { SellerTicket } from './types';

/** The seller's words for a ticket's status. */
export function sellerTicketBadge(status: SellerTicket['status']): { label: string; tone: BadgeTone } {
  switch (status) {
    case 'available':
      return { label: 'On sale', tone: 'info' };
    case 'reserved':
      return { label: 'Reserved', tone: 'warning' };
    case 'sold':
      return { label: 'Sold', tone: 'success' };
  }
}

/** Only a ticket nobody holds can be edited (the API answers 400 otherwise). */
export const canEdit = (ticket: Pick<SellerTicket, 'status'>): boolean => ticket.status === 'available';

/** The My tickets page URL for a page cursor. */
export const myTicketsHref = (cursor?: string): string => (cursor ? `/my-tickets?cursor=${encodeURIComponent(cursor)}` : '/my-tickets');
