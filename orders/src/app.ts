import type { Express } from 'express';
import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { OrdersDb } from './db/schema';
import { cancelOrderRouter } from './routes/cancel-order';
import { createOrderRouter } from './routes/create-order';
import { listOrdersRouter } from './routes/list-orders';
import { showOrderRouter } from './routes/show-order';
import { waitlistEventsRouter } from './routes/waitlist-events';
import { joinWaitlistRouter } from './routes/waitlist-join';
import { leaveWaitlistRouter } from './routes/waitlist-leave';
import { listWaitlistRouter } from './routes/waitlist-list';
import { poolOf, WaitlistChanges } from './waitlist/waitlist-changes';

export interface OrdersAppDeps extends BaseAppDeps {
  db: OrdersDb;
  expirationWindowSeconds: number;
  /** The clock reservations are timed by; tests pass a fixed one. */
  now?: () => Date;
  /** How long a waiting-list offer lasts (OFFER_WINDOW_SECONDS). */
  offerWindowSeconds?: number;
}

export function buildApp({ db, expirationWindowSeconds, now = () => new Date(), offerWindowSeconds = 300, ...base }: OrdersAppDeps): Express {
  const waitlistChanges = new WaitlistChanges(poolOf(db), base.logger);
  return createServiceApp({
    ...base,
    routes: (app) => {
      // The waiting list first: /api/orders/waitlist… would otherwise match /api/orders/:id….
      app.use(joinWaitlistRouter({ db, offerWindowSeconds }));
      app.use(listWaitlistRouter({ db }));
      app.use(leaveWaitlistRouter({ db }));
      const isAcceptingTraffic = base.isAcceptingTraffic ?? (() => true);
      app.use(waitlistEventsRouter({ db, changes: waitlistChanges, logger: base.logger, isAcceptingTraffic }));
      app.use(createOrderRouter({ db, expirationWindowSeconds, now }));
      app.use(listOrdersRouter({ db }));
      app.use(showOrderRouter({ db }));
      app.use(cancelOrderRouter({ db }));
    },
  });
}
