import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { Express } from 'express';
import { createTicketRouter } from './routes/create-ticket';
import { listTicketsRouter } from './routes/list-tickets';
import type { RouteDeps } from './routes/route-deps';
import { showTicketRouter } from './routes/show-ticket';
import { updateTicketRouter } from './routes/update-ticket';

/** The tickets HTTP API on common's service app; no I/O until a request arrives. */
export function buildApp({ db, ...base }: BaseAppDeps & RouteDeps): Express {
  return createServiceApp({
    ...base,
    routes: (app) => {
      const deps = { db };
      app.use(createTicketRouter(deps), listTicketsRouter(deps), showTicketRouter(deps), updateTicketRouter(deps));
    },
  });
}
