import { defineListener } from '@microtick/common';
import type { ExpirationHandlerContext } from '../handler-context';

/** A paid order never expires: drop its timer. */
export const paymentCreated = defineListener({
  event: 'payment:created',
  async handle({ data }, { timers }: ExpirationHandlerContext) {
    await timers.settle(data.orderId);
  },
});
