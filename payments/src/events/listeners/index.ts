import type { AnyListener } from '@microtick/common';
import { orderCancelled } from './order-cancelled.listener';
import { orderCompleted } from './order-completed.listener';
import { orderCreated } from './order-created.listener';

/** Replica only: captures and voids happen in the settler, after these commit. */
export const listeners: readonly AnyListener[] = [orderCreated, orderCompleted, orderCancelled];
