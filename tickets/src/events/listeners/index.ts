import { orderCancelled } from './order-cancelled.listener';
import { orderCreated } from './order-created.listener';

export const listeners = [orderCreated, orderCancelled];
