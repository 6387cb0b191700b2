import type { Express } from 'express';
import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { OrdersDb } from './db/schema';
import { cancelOrderRouter } from './routes/cancel-order';
import { createOrderRouter } from './routes/create-order';
import { listOrdersRouter } from './routes/list-orders';
import { showOrderRouter } from './routes/show-order';

export interface OrdersAppDeps extends BaseAppDeps {
  db: OrdersDb;
  expirationWindowSeconds: number;
  /** The clock reservations are timed by; tests pass a fixed one. */
  now?: () => Date;
}

export function buildApp({ db, expirationWindowSeconds, now = () => new Date(), ...base }: OrdersAppDeps): Express {
  return createServiceApp({
    ...base,
    routes: (app) => {
      app.use(createOrderRouter({ db, expirationWindowSeconds, now }));
      app.use(listOrdersRouter({ db }));
      app.use(showOrderRouter({ db }));
      app.use(cancelOrderRouter({ db }));
    },
  });
}
