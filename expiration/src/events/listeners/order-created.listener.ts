import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/**
 * Arms the order's timer for `expiresAt`; an `expiresAt` already past fires at once. Orders
 * placed within the batch window are armed together (one write to Redis, one wake-up of the
 * worker): a timer minutes away loses nothing by being armed up to that much later.
 */
export const orderCreated = defineListener({
  event: 'order:created',
  async handle({ data }, { timers, logger }: ExpirationHandlerContext) {
    await timers.schedule({ orderId: data.id, expiresAt: data.expiresAt });
    logger.debug({ orderId: data.id, expiresAt: data.expiresAt }, 'expiration scheduled');
  },
  async handleBatch(events, { timers, logger }: ExpirationHandlerContext) {
    await timers.scheduleAll(events.map(({ data }) => ({ orderId: data.id, expiresAt: data.expiresAt })));
    logger.debug({ orders: events.length }, 'expirations scheduled');
  },
  batchWindowMs: 50,
});
