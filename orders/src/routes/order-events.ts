import type { Response } from 'express';
import { Router } from 'express';
import { requireAuth, userOf, type Logger } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import type { OrderChangeFeed } from '../orders/order-changes';
import type { Order } from '@microtick/common/api';
import { toOrderJson } from '../orders/order-view';
import { findOwnedOrder } from '../orders/owned-order';

export interface OrderEventsDeps {
  db: OrdersDb;
  orderChanges: OrderChangeFeed;
  logger: Logger;
  /** False once the service is shutting down: open streams are ended so the server can close. */
  isAcceptingTraffic?: () => boolean;
}

/** A comment line this often keeps proxies from timing an idle stream out. */
const HEARTBEAT_MS = 15_000;
const TICK_MS = 1_000;
const TERMINAL = new Set(['complete', 'cancelled']);

/**
 * `GET /api/orders/:id/events` (owner): the order as Server-Sent Events. `event: order` with the
 * order JSON on connect and after every committed change (the trigger's NOTIFY, so a change made
 * by any replica or listener is seen), then the stream ends once the order is complete or
 * cancelled. A reconnect (EventSource does it by itself) gets a fresh snapshot first, so nothing
 * is missed; `id:` is the order's version.
 */
export function orderEventsRouter({ db, orderChanges, logger, isAcceptingTraffic = () => true }: OrderEventsDeps): Router {
  const router = Router();
  router.get('/api/orders/:id/events', requireAuth, async (req, res) => {
    const user = userOf(req);
    // Errors before the stream starts are ordinary JSON answers (401, 404).
    const first = await findOwnedOrder(db, req.params.id, user);
    const orderId = first.order.id;

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx-style proxies: do not buffer this response.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();

    let sentVersion = -1;
    let ended = false;
    let reading = Promise.resolve();
    const end = () => {
      if (ended) return;
      ended = true;
      unwatch();
      clearInterval(timer);
      res.end();
    };
    const send = (order: Order) => {
      if (ended || order.version <= sentVersion) return;
      sentVersion = order.version;
      writeEvent(res, order);
      if (TERMINAL.has(order.status)) end();
    };
    // Reads are chained so that events go out in version order.
    const refresh = () => {
      reading = reading
        .then(async () => {
          if (ended) return;
          send(toOrderJson(await findOwnedOrder(db, orderId, user)));
        })
        .catch((err: unknown) => {
          logger.warn({ err, orderId }, 'order stream read failed; closing it (the client reconnects)');
          end();
        });
    };
    // Watch before the snapshot, so a change committed in between is not missed.
    const unwatch = orderChanges.watch(orderId, refresh);
    let ticks = 0;
    const timer = setInterval(() => {
      if (!isAcceptingTraffic()) return end();
      if (++ticks % (HEARTBEAT_MS / TICK_MS) === 0) res.write(': keep-alive\n\n');
    }, TICK_MS);
    req.on('close', end);
    send(toOrderJson(first));
    refresh();
  });
  return router;
}

function writeEvent(res: Response, order: Order): void {
  res.write(`event: order\nid: ${order.version}\ndata: ${JSON.stringify(order)}\n\n`);
}
