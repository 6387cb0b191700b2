import type { KeyObject } from 'node:crypto';
import type { Express } from 'express';
import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { OrdersDb } from './db/schema';
import { DEFAULT_ORDER_LIMITS, type OrderLimits } from './orders/order-limits';
import { cancelOrderRouter } from './routes/cancel-order';
import { createOrderRouter } from './routes/create-order';
import type { OrderChangeFeed } from './orders/order-changes';
import { listOrdersRouter } from './routes/list-orders';
import { orderEventsRouter } from './routes/order-events';
import { showOrderRouter } from './routes/show-order';
import { showOrderTicketRouter } from './routes/show-order-ticket';
import { waitlistRouter } from './routes/waitlist-routes';

export interface OrdersAppDeps extends BaseAppDeps {
  db: OrdersDb;
  expirationWindowSeconds: number;
  /** Ed25519 private key that signs ticket codes (TICKET_CODE_PRIVATE_KEY). */
  ticketCodeKey: KeyObject;
  /** Committed order changes, for the live order stream. */
  orderChanges: OrderChangeFeed;
  /** The clock reservations are timed by; tests pass a fixed one. */
  now?: () => Date;
  /** Per-user abuse limits (default DEFAULT_ORDER_LIMITS). */
  limits?: Partial<OrderLimits>;
  /** How long a waiting-list offer lasts (OFFER_WINDOW_SECONDS). */
  offerWindowSeconds?: number;
}

export function buildApp({ db, expirationWindowSeconds, ticketCodeKey, orderChanges, now = () => new Date(), limits, offerWindowSeconds = 300, ...base }: OrdersAppDeps): Express {
  // Created here, not per request, so each app (and each test) has its own rate counters.
  const orderLimits = { ...DEFAULT_ORDER_LIMITS, ...limits };
  return createServiceApp({
    ...base,
    routes: (app) => {
      // First: /api/orders/waitlist… would otherwise match /api/orders/:id….
      app.use(waitlistRouter({ db, offerWindowSeconds, logger: base.logger, isAcceptingTraffic: base.isAcceptingTraffic }));
      app.use(createOrderRouter({ db, expirationWindowSeconds, now, limits: orderLimits, logger: base.logger }));
      app.use(listOrdersRouter({ db }));
      app.use(showOrderTicketRouter({ db, ticketCodeKey }));
      app.use(showOrderRouter({ db }));
      app.use(orderEventsRouter({ db, orderChanges, logger: base.logger, isAcceptingTraffic: base.isAcceptingTraffic }));
      app.use(cancelOrderRouter({ db }));
    },
  });
}
