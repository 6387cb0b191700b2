import { addToOutbox, preparedStatement, requireAuth, ticketRoutes, userOf, validate, validated, type Params } from '@microtick/common';
import { Router } from 'express';
import { tickets } from '../db/schema';
import { ticketsChangedOnCommit } from '../listing/listing-cache';
import { ticketView } from '../tickets/ticket-view';
import type { RouteDeps } from './route-deps';
import { ticketInputOf } from './ticket-input';

const insertTicket = preparedStatement('tickets_insert', (db, p: Params<{ title: string; priceCents: number; userId: string }>) =>
  db.insert(tickets).values({ title: p('title'), priceCents: p('priceCents'), userId: p('userId') }).returning(),
);

/** POST /api/tickets: lists a ticket for sale and stages `ticket:created` with it (and tells the listing cache on commit). */
export function createTicketRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.post(ticketRoutes.create.path, requireAuth, validate(ticketRoutes.create.request), async (req, res) => {
    const input = ticketInputOf(validated(req, ticketRoutes.create.request).body);
    const ticket = await db.transaction(async (tx) => {
      const [created] = await insertTicket.execute(tx, { ...input, userId: userOf(req).id });
      const view = ticketView(created!); // one row in, one row out
      // The seller's next listing on this process shows it, without waiting for the NOTIFY.
      ticketsChangedOnCommit(tx);
      await addToOutbox(tx, 'ticket:created', { id: view.id, version: view.version, title: view.title, price: view.price, userId: view.userId });
      return view;
    });
    res.status(201).json(ticket);
  });
  return router;
}
