import type { Logger } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { lapseOffer, overdueOffers } from './offers';

export interface OfferSweepOptions {
  db: OrdersDb;
  logger: Logger;
  intervalSeconds: number;
  /** An offer is swept only this long after its deadline: expiration's event normally comes first. */
  graceSeconds: number;
}

/** Offers lapsed per round at most; the next round takes the rest. */
const BATCH = 100;

/**
 * The backstop of the offer timer: if expiration's `expiration:offer-expired` never comes (its
 * Redis lost the job, the service is down), offers past their deadline + grace lapse here, each
 * in its own transaction, through the same `lapseOffer` (so a late event then finds it done).
 */
export async function sweepOverdueOffers({ db, graceSeconds }: Pick<OfferSweepOptions, 'db' | 'graceSeconds'>): Promise<number> {
  const overdue = await overdueOffers(db, graceSeconds, BATCH);
  let lapsed = 0;
  for (const offerId of overdue) {
    if ((await db.transaction((tx) => lapseOffer(tx, offerId))) === 'lapsed') lapsed++;
  }
  return lapsed;
}

/** Runs the sweep every `intervalSeconds`; returns the function that stops it (awaiting a running round). */
export function startOfferSweep(options: OfferSweepOptions): () => Promise<void> {
  const { logger } = options;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        const lapsed = await sweepOverdueOffers(options);
        if (lapsed) logger.warn({ lapsed }, 'waiting-list offers lapsed by the sweep (their expiration event was late)');
      } catch (err) {
        logger.error({ err }, 'waiting-list offer sweep failed; next round will retry');
      }
    });
  }, options.intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
