import { defineServiceConfig } from '@microtick/common';
import { z } from 'zod';

/** The shared settings (common/src/config.ts); tickets adds nothing but its port. */
export const configSchema = defineServiceConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
});
