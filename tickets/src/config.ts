import { defineServiceConfig, ed25519KeySetting } from '@microtick/common';
import { z } from 'zod';

/** The shared settings (common/src/config.ts), tickets' port, the key that checks ticket codes, and the listing cache's bounds. */
export const configSchema = defineServiceConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  /** Orders' public key: check-ins accept only codes orders signed (docs/features.md). */
  TICKET_CODE_PUBLIC_KEY: ed25519KeySetting('public'),
  /** Listing pages each process keeps while no ticket changes (docs/listing-cache.md); 0: none, every listing reads Postgres. */
  LISTING_CACHE_PAGES: z.coerce.number().int().min(0).default(128),
  /** Bytes of JSON the listing cache keeps at most (a page of 100 tickets is about 25 kB). */
  LISTING_CACHE_MAX_BYTES: z.coerce.number().int().min(0).default(4 * 1024 * 1024),
});
