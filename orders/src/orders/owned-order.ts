import { eq } from 'drizzle-orm';
import { isUuid, NotAuthorizedError, NotFoundError, type DbExecutor, type UserPayload } from '@microtick/common';
import { orders } from '../db/schema';
import { selectOrderViews, type OrderView } from './order-view';

/** The order `orderId` (a route parameter) with its ticket: 404 when malformed or unknown, 401 when not the user's. */
export async function findOwnedOrder(db: DbExecutor, orderId: unknown, user: UserPayload): Promise<OrderView> {
  if (!isUuid(orderId)) throw new NotFoundError('Order not found');
  const [view] = await selectOrderViews(db).where(eq(orders.id, orderId));
  if (!view) throw new NotFoundError('Order not found');
  if (view.order.userId !== user.id) throw new NotAuthorizedError();
  return view;
}
