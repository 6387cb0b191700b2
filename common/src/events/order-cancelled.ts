import { z } from 'zod';
import { id, version } from './primitives';

/** orders → tickets, payments, expiration: the reservation ended without payment. */
export const orderCancelled = z.object({ id, version, ticket: z.object({ id }) });
export type OrderCancelled = z.infer<typeof orderCancelled>;
