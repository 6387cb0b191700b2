import path from 'node:path';
import type { OrderStatus } from '@microtick/common';
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const migrationsFolder = path.join(__dirname, '../../drizzle'); // same from src/ and dist/

/**
 * The statuses of the event contract (common's `orderStatus`), spelled out here because a schema
 * file imports nothing from common at run time: `drizzle-kit generate` loads it without common
 * being built. The two checks below fail to compile when the lists drift apart.
 */
const ORDER_STATUSES = ['created', 'awaiting:payment', 'complete', 'cancelled'] as const satisfies readonly OrderStatus[];
type NoneMissing<Missing extends never> = Missing;
export type EveryOrderStatusListed = NoneMissing<Exclude<OrderStatus, (typeof ORDER_STATUSES)[number]>>;
export const orderStatusEnum = pgEnum('order_status', ORDER_STATUSES);

/** Replica of the orders service's orders: what payments needs to authorize, capture or void. */
export const ordersReplica = pgTable('orders_replica', {
  id: uuid('id').primaryKey(),
  version: integer('version').notNull(),
  status: orderStatusEnum('status').notNull(),
  userId: uuid('user_id').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  priceCents: integer('price_cents').notNull(),
  /** The authorization orders accepted when it completed the order (`order:completed`): the one to capture. */
  completedByPaymentId: uuid('completed_by_payment_id'),
});

/**
 * - requires_action: the card asks the customer for an extra step (3-D Secure); nothing is held yet;
 * - authorized: the amount is held on the card; orders decides (payment:created was staged);
 * - captured: orders completed the order and the money was taken;
 * - voided: the order was cancelled, so the PaymentIntent was cancelled and the hold released;
 * - failed: the extra step failed or was abandoned; the order may be paid again.
 */
export const paymentStatus = pgEnum('payment_status', ['requires_action', 'authorized', 'captured', 'voided', 'failed']);
export type PaymentStatus = (typeof paymentStatus.enumValues)[number];

/** The name of the index that keeps an order to one live (requires_action/authorized/captured) payment. */
export const ONE_LIVE_PAYMENT_PER_ORDER = 'payments_one_live_per_order';

/** One row per PaymentIntent that got past the card check (authorized, or waiting for the customer). */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull(),
    /** The Stripe PaymentIntent (manual capture). */
    stripeId: text('stripe_id').notNull().unique(),
    amountCents: integer('amount_cents').notNull(),
    status: paymentStatus('status').notNull(),
    /** For `requires_action`: what the buyer's browser needs to finish the step with Stripe.js. */
    clientSecret: text('client_secret'),
    authorizedAt: timestamp('authorized_at', { withTimezone: true }),
    /** When it was captured, voided or failed. */
    settledAt: timestamp('settled_at', { withTimezone: true }),
    /** A settler is capturing or voiding it until then (a lapsed lease is taken over). */
    settlingUntil: timestamp('settling_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The last line of defence against two authorizations for one order.
    uniqueIndex(ONE_LIVE_PAYMENT_PER_ORDER).on(t.orderId).where(sql`${t.status} in ('requires_action', 'authorized', 'captured')`),
    index('payments_order_idx').on(t.orderId),
  ],
);

/**
 * - pending: a request is talking to Stripe (until `lockedUntil`; after that it was interrupted
 *   and the next request for the order, or the sweeper, finishes it first);
 * - succeeded: Stripe authorized it (or asked for an extra step): it is in `payments`;
 *   declined: the card was refused; rejected: Stripe refused the request (unknown token, amount
 *   below its minimum); refunded: only on attempts from before authorizations (charged, then refunded).
 */
export const attemptStatus = pgEnum('payment_attempt_status', ['pending', 'succeeded', 'declined', 'rejected', 'refunded']);

/** Every try to pay an order, so that only one per order talks to Stripe at a time. */
export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull(),
    /** The card token or PaymentMethod id; with the order it makes the Stripe idempotency key. */
    paymentMethod: text('payment_method').notNull(),
    status: attemptStatus('status').notNull().default('pending'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
    stripeId: text('stripe_id'),
    /** Stripe's message for a declined or rejected attempt. */
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('payment_attempts_one_pending_per_order').on(t.orderId).where(sql`${t.status} = 'pending'`)],
);

/** Stripe webhook events already handled (Stripe delivers at least once). */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

export const schema = { ordersReplica, payments, paymentAttempts, stripeEvents };
export type PaymentsDb = NodePgDatabase<typeof schema>;
export type OrderReplica = typeof ordersReplica.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type PaymentAttempt = typeof paymentAttempts.$inferSelect;
