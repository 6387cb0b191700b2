import { sqlStatement, versionedReplica, type DbExecutor } from '@microtick/common';
import { ordersReplica } from '../db/schema';

/**
 * Payments' copy of orders, applied in version order by common's versionedReplica. Read FOR
 * UPDATE: recording orders' decision and recording an authorization both lock the order row,
 * so one of the two always sees the other.
 */
export const orders = versionedReplica(ordersReplica, { what: 'order', lock: true });

const cancelNextVersion = sqlStatement<[orderId: string, version: number]>(
  'payments_cancel_order_replica',
  `update orders_replica set status = 'cancelled', version = $2 where id = $1 and version = $2 - 1`,
);

/**
 * A cancellation applied to the replica the usual way (it is the next version), in one statement
 * whose answer need not be awaited before the next is sent: true when it was applied. False:
 * apply it through `orders` (stale, early, or a row inserted while this statement waited),
 * which decides as for any event. Takes the order row's lock like `orders`' read.
 */
export async function cancelOrderReplica(tx: DbExecutor, order: { id: string; version: number }): Promise<boolean> {
  return ((await cancelNextVersion.execute(tx, [order.id, order.version])).rowCount ?? 0) > 0;
}
