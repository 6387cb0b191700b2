import { orderCancelled } from './order-cancelled.listener';
import { orderCompleted } from './order-completed.listener';
import { orderCreated } from './order-created.listener';

export const listeners = [orderCreated, orderCancelled, orderCompleted];
