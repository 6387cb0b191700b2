import { Router } from 'express';
import type { Logger } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { poolOf, WaitlistChanges } from '../waitlist/waitlist-changes';
import { waitlistEventsRouter } from './waitlist-events';
import { joinWaitlistRouter } from './waitlist-join';
import { leaveWaitlistRouter } from './waitlist-leave';
import { listWaitlistRouter } from './waitlist-list';

export interface WaitlistRoutesDeps {
  db: OrdersDb;
  offerWindowSeconds: number;
  logger: Logger;
  isAcceptingTraffic?: () => boolean;
}

/**
 * Every `/api/orders/waitlist` route (docs/waitlist.md). Mount before `/api/orders/:id…`, which
 * would otherwise take `waitlist` for an order id.
 */
export function waitlistRouter({ db, offerWindowSeconds, logger, isAcceptingTraffic = () => true }: WaitlistRoutesDeps): Router {
  const changes = new WaitlistChanges(poolOf(db), logger);
  const router = Router();
  router.use(joinWaitlistRouter({ db, offerWindowSeconds }));
  router.use(listWaitlistRouter({ db }));
  router.use(leaveWaitlistRouter({ db }));
  router.use(waitlistEventsRouter({ db, changes, logger, isAcceptingTraffic }));
  return router;
}
