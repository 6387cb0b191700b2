import { BadRequestError, ConflictError, NotAuthorizedError, NotFoundError, requireAuth, ticketRoutes, userOf, validate, validated } from '@microtick/common';
import { Router } from 'express';
import { changeTicket } from '../tickets/change-ticket';
import { findTicket } from '../tickets/find-ticket';
import { ticketView } from '../tickets/ticket-view';
import type { RouteDeps } from './route-deps';
import { ticketInputOf } from './ticket-input';

/**
 * PUT /api/tickets/:id: the owner edits title and price while nobody holds the ticket.
 * If the ticket changes between our read and our write (another edit, or an order locking it),
 * the request fails with 409 instead of overwriting that change; the client reloads and decides.
 */
export function updateTicketRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.put(ticketRoutes.update.path, requireAuth, validate(ticketRoutes.update.request), async (req, res) => {
    const input = ticketInputOf(validated(req, ticketRoutes.update.request).body);
    const updated = await db.transaction(async (tx) => {
      const ticket = await findTicket(tx, req.params.id);
      if (!ticket) throw new NotFoundError('Ticket not found');
      if (ticket.userId !== userOf(req).id) throw new NotAuthorizedError();
      if (ticket.orderId || ticket.waitlistOfferId) throw new BadRequestError('Ticket is reserved');
      const changed = await changeTicket(tx, ticket, input);
      if (!changed) throw new ConflictError('Ticket was changed by someone else; reload it and try again');
      return changed;
    });
    res.json(ticketView(updated));
  });
  return router;
}
