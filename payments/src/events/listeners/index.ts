import type { AnyListener } from '@microtick/common';
import type Stripe from 'stripe';
import { orderCancelled } from './order-cancelled.listener';
import { orderCreated } from './order-created.listener';

/** A factory rather than a constant: the cancellation listener refunds through Stripe. */
export const paymentListeners = (deps: { stripe: Stripe }): AnyListener[] => [orderCreated, orderCancelled(deps.stripe)];
