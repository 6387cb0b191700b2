import { Router } from 'express';
import { requireAuth, userOf, waitlistRoutes, type Logger } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { listWaitlistEntries } from '../waitlist/entries';
import type { WaitlistChanges } from '../waitlist/waitlist-changes';

/** Proxies drop a silent connection (the local gateway after 60 s); a comment line keeps it open. */
const KEEP_ALIVE_MS = 15_000;
/** How soon an open stream notices the service is shutting down (it then ends; EventSource reconnects elsewhere). */
const SHUTDOWN_CHECK_MS = 1_000;

export interface WaitlistEventsDeps {
  db: OrdersDb;
  changes: WaitlistChanges;
  logger: Logger;
  isAcceptingTraffic: () => boolean;
}

/**
 * `GET /api/orders/waitlist/events` (text/event-stream): `event: waitlist` with the caller's
 * entries (as `GET /api/orders/waitlist`) on connect and after every commit that changes them or
 * their places in line, so an offer shows within moments of the transaction that made it.
 */
export function waitlistEventsRouter({ db, changes, logger, isAcceptingTraffic }: WaitlistEventsDeps): Router {
  const router = Router();
  router.get(waitlistRoutes.events.path, requireAuth, async (req, res) => {
    const userId = userOf(req).id;
    let open = true;
    let reading: Promise<void> | undefined;
    let readAgain = false;
    const watcher = { userId, tickets: new Set<string>() as ReadonlySet<string>, changed: () => void send() };

    // One read at a time; changes during a read cause exactly one more read.
    const send = async (): Promise<void> => {
      if (reading) {
        readAgain = true;
        return reading;
      }
      reading = (async () => {
        do {
          readAgain = false;
          const entries = await listWaitlistEntries(db, userId);
          watcher.tickets = new Set(entries.map((entry) => entry.ticketId));
          if (open) res.write(`event: waitlist\ndata: ${JSON.stringify(entries)}\n\n`);
        } while (readAgain && open);
      })()
        .catch((err: unknown) => {
          logger.warn({ err }, 'waiting-list stream failed; closing it');
          finish();
        })
        .finally(() => {
          reading = undefined;
        });
      return reading;
    };

    let stopWatching = (): void => undefined;
    const timers: NodeJS.Timeout[] = [];
    const finish = (): void => {
      if (!open) return;
      open = false;
      timers.forEach(clearInterval);
      stopWatching();
      res.end();
    };

    // Listen before the first read, so a change committed in between is not missed.
    stopWatching = await changes.watch(watcher);
    req.on('close', finish);
    if (req.destroyed) return finish(); // the caller left while we were starting to listen
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    timers.push(setInterval(() => open && res.write(': keep-alive\n\n'), KEEP_ALIVE_MS));
    timers.push(setInterval(() => !isAcceptingTraffic() && finish(), SHUTDOWN_CHECK_MS));
    await send();
  });
  return router;
}
