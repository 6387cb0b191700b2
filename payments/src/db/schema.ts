import path from 'node:path';
import { orderStatus } from '@microtick/common';
import { sql } from 'drizzle-orm';
import { integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const migrationsFolder = path.join(__dirname, '../../drizzle'); // same from src/ and dist/

export const orderStatusEnum = pgEnum('order_status', orderStatus.enum);

/** Replica of the orders service's orders: what payments needs to decide whether one may be paid. */
export const orders = pgTable('orders', {
  id: uuid('id').primaryKey(),
  version: integer('version').notNull(),
  status: orderStatusEnum('status').notNull(),
  userId: uuid('user_id').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  priceCents: integer('price_cents').notNull(),
});

/**
 * One successful charge per order. The unique order id is the last line of defence against
 * recording an order as paid twice.
 */
export const payments = pgTable('payments', {
  id: uuid('id').primaryKey().defaultRandom(),
  orderId: uuid('order_id').notNull().unique(),
  /** The Stripe PaymentIntent that took the money. */
  stripeId: text('stripe_id').notNull(),
  amountCents: integer('amount_cents').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** Set when the order was cancelled after all and the money went back. */
  refundedAt: timestamp('refunded_at', { withTimezone: true }),
});

/**
 * - pending: a request is talking to Stripe (until `lockedUntil`; after that it was interrupted
 *   and the next request for the order finishes it first);
 * - succeeded: recorded in `payments`; declined: the card was refused; rejected: Stripe refused the
 *   request (unknown token, amount below its minimum); refunded: charged, but the order had been
 *   cancelled meanwhile, so the money went back.
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

export const schema = { orders, payments, paymentAttempts };
export type Order = typeof orders.$inferSelect;
export type Payment = typeof payments.$inferSelect;
export type PaymentAttempt = typeof paymentAttempts.$inferSelect;
