import type { AnyListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';
import { orderCancelled } from './order-cancelled.listener';
import { orderCreated } from './order-created.listener';
import { orderCompleted } from './order-completed.listener';
import { waitlistOfferEnded } from './order-waitlist-offer-ended.listener';
import { waitlistOffered } from './order-waitlist-offered.listener';

export const listeners: readonly AnyListener<ExpirationHandlerContext>[] = [orderCreated, orderCompleted, orderCancelled, waitlistOffered, waitlistOfferEnded];
