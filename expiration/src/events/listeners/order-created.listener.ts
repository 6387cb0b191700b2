import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/** Arms the order's timer for `expiresAt`; an `expiresAt` already past fires at once. */
export const orderCreated = defineListener({
  event: 'order:created',
  async handle({ data }, { timers, logger }: ExpirationHandlerContext) {
    await timers.schedule({ orderId: data.id, expiresAt: data.expiresAt });
    logger.debug({ orderId: data.id, expiresAt: data.expiresAt }, 'expiration scheduled');
  },
});
