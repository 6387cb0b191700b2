import type { AnyListener } from '@microtick/common';
import type { ExpirationHandlerContext } from '../handler-context';
import { orderCancelled } from './order-cancelled.listener';
import { orderCreated } from './order-created.listener';
import { orderCompleted } from './order-completed.listener';

export const listeners: readonly AnyListener<ExpirationHandlerContext>[] = [orderCreated, orderCompleted, orderCancelled];
