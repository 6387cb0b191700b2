import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/**
 * A complete order never expires: drop its timer. (An authorization alone, `payment:created`, does
 * not: orders may still cancel the order, and then expiration had nothing to do with it anyway.)
 */
export const orderCompleted = defineListener({
  event: 'order:completed',
  async handle({ data }, { timers }: ExpirationHandlerContext) {
    await timers.settle(data.id);
  },
  async handleBatch(events, { timers }: ExpirationHandlerContext) {
    await timers.settleAll(events.map(({ data }) => data.id));
  },
});
