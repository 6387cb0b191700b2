import { z } from 'zod';

export const id = z.uuid();
export const version = z.number().int().nonnegative();
/** Money in currency units with at most two decimals (19.99), as in the HTTP contract. */
export const price = z
  .number()
  .positive()
  .refine((value) => Number.isSafeInteger(Math.round(value * 100)) && Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, 'at most 2 decimals');
export const orderStatus = z.enum(['created', 'awaiting:payment', 'complete', 'cancelled']);
export type OrderStatus = z.infer<typeof orderStatus>;
