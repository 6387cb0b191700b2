import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { Express } from 'express';
import { checkInRouter } from './routes/check-in';
import { createTicketRouter } from './routes/create-ticket';
import { listTicketsRouter } from './routes/list-tickets';
import type { RouteDeps } from './routes/route-deps';
import { sellerDeskRouter } from './routes/seller-desk';
import { showTicketRouter } from './routes/show-ticket';
import { updateTicketRouter } from './routes/update-ticket';

/** The tickets HTTP API on common's service app; no I/O until a request arrives. */
export function buildApp({ db, ticketCodePublicKey, listingCache, ...base }: BaseAppDeps & RouteDeps): Express {
  return createServiceApp({
    ...base,
    routes: (app) => {
      const deps = { db, ticketCodePublicKey, listingCache };
      // Fixed paths (/api/tickets/mine) before /api/tickets/:id.
      app.use(createTicketRouter(deps), listTicketsRouter(deps), sellerDeskRouter(deps), showTicketRouter(deps), updateTicketRouter(deps), checkInRouter(deps));
    },
  });
}
