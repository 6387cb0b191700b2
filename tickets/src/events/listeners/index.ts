import { orderCancelled } from './order-cancelled.listener';
import { orderCompleted } from './order-completed.listener';
import { orderCreated } from './order-created.listener';
import { waitlistOfferEnded } from './order-waitlist-offer-ended.listener';
import { waitlistOffered } from './order-waitlist-offered.listener';

export const listeners = [orderCreated, orderCancelled, orderCompleted, waitlistOffered, waitlistOfferEnded];
