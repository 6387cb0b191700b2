import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/**
 * A cancelled order has nothing left to expire: drop its timer. Cancellations come in bursts
 * (most are expiries, which come as orders were placed), so those within the batch window are
 * settled together; a timer that fires meanwhile only asks orders to cancel an order it has
 * already cancelled, which orders ignores.
 */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  async handle({ data }, { timers }: ExpirationHandlerContext) {
    await timers.settle(data.id);
  },
  async handleBatch(events, { timers }: ExpirationHandlerContext) {
    await timers.settleAll(events.map(({ data }) => data.id));
  },
  batchWindowMs: 50,
});
