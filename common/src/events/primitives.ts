import { z } from 'zod';

export const id = z.uuid();
export const version = z.number().int().nonnegative();
/**
 * Money in currency units with at most two decimals (19.99), as in the HTTP contract: the
 * number must be exactly its own value rounded to cents, and at least one cent, so it converts
 * to a positive integer number of cents without loss.
 */
export const price = z
  .number()
  .min(0.01, 'must be at least 0.01')
  .refine((value) => Number.isSafeInteger(Math.round(value * 100)) && Math.round(value * 100) / 100 === value, 'at most 2 decimals');
export const orderStatus = z.enum(['created', 'awaiting:payment', 'complete', 'cancelled']);
export type OrderStatus = z.infer<typeof orderStatus>;
