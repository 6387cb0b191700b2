import { versionedReplica } from '@microtick/common';
import { ordersReplica } from '../db/schema';

/**
 * Payments' copy of orders, applied in version order by common's versionedReplica. Read FOR
 * UPDATE: recording orders' decision and recording an authorization both lock the order row,
 * so one of the two always sees the other.
 */
export const orders = versionedReplica(ordersReplica, { what: 'order', lock: true });
