import { defineServiceConfig, ed25519KeySetting } from '@microtick/common';
import { z } from 'zod';

/** The shared settings (common/src/config.ts), tickets' port, and the key that checks ticket codes. */
export const configSchema = defineServiceConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** Orders' public key: check-ins accept only codes orders signed (docs/features.md). */
  TICKET_CODE_PUBLIC_KEY: ed25519KeySetting('public'),
});
