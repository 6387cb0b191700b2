import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/** A cancelled order has nothing left to expire: drop its timer. */
export const orderCancelled = defineListener({
  event: 'order:cancelled',
  async handle({ data }, { timers }: ExpirationHandlerContext) {
    await timers.settle(data.id);
  },
  async handleBatch(events, { timers }: ExpirationHandlerContext) {
    await timers.settleAll(events.map(({ data }) => data.id));
  },
});
