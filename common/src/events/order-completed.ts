import { z } from 'zod';
import { id, price, version } from './primitives';

/**
 * orders → payments, tickets, expiration: orders accepted the authorization `paymentId` and the
 * order is complete (its next version). Payments captures that authorization; tickets records the
 * ticket as sold; expiration drops the pending timer.
 */
export const orderCompleted = z.object({ id, version, userId: id, paymentId: id, ticket: z.object({ id, price }) });
export type OrderCompleted = z.infer<typeof orderCompleted>;
