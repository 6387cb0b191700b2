import type { z } from 'zod';

/**
 * The variables a config schema cannot do without: those whose schema fails on `undefined` (no
 * default, not optional). Reads the object's shape, so the answer follows the service's code.
 */
export const requiredKeys = (schema: z.ZodObject): string[] =>
  Object.entries(schema.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
