import { NotFoundError } from '@microtick/common';
import { Router } from 'express';
import { findTicket } from '../tickets/find-ticket';
import { ticketView } from '../tickets/ticket-view';
import type { RouteDeps } from './route-deps';

/** GET /api/tickets/:id: any ticket, reserved or not. */
export function showTicketRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.get('/api/tickets/:id', async (req, res) => {
    const ticket = await findTicket(db, req.params.id);
    if (!ticket) throw new NotFoundError('Ticket not found');
    res.json(ticketView(ticket));
  });
  return router;
}
