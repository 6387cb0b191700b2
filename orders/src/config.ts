import { z } from 'zod';
import { defineServiceConfig, ed25519KeySetting } from '@microtick/common';
import { DEFAULT_ORDER_LIMITS } from './orders/order-limits';

export const configSchema = defineServiceConfig({
  PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  /** How long a buyer has to pay before the reservation lapses (SPEC §5). */
  EXPIRATION_WINDOW_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(900),
  /**
   * The backstop of the expiration timer (docs/operations.md): an order still unpaid this long
   * after `expiresAt` is cancelled by orders itself; checked every EXPIRY_SWEEP_INTERVAL_SECONDS.
   */
  EXPIRY_SWEEP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  EXPIRY_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** Signs the codes of complete orders' tickets; tickets checks them with the public half (docs/features.md). */
  TICKET_CODE_PRIVATE_KEY: ed25519KeySetting('private'),
  /** Order attempts one user may make per minute (429 beyond); benchmarks and tests raise it. */
  ORDERS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_ORDER_LIMITS.perMinute),
  /** Unpaid orders one user may hold at once (400 beyond). */
  MAX_LIVE_ORDERS_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_ORDER_LIMITS.maxLiveOrders),
  /** The waiting list (docs/waitlist.md): how long the first in line has the ticket to themselves. */
  OFFER_WINDOW_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(300),
  /** How often orders looks for offers whose expiration event is overdue, and how overdue they must be. */
  OFFER_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  OFFER_SWEEP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
});

export type OrdersConfig = z.infer<typeof configSchema>;
