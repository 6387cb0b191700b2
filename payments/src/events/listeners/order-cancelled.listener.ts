import { checkVersion, defineListener } from '@microtick/common';
import { and, eq, isNull } from 'drizzle-orm';
import type Stripe from 'stripe';
import { refundPayment } from '../../charging/stripe-requests';
import { orders, payments } from '../../db/schema';

/**
 * Marks the order cancelled so it can no longer be paid. A payment that beat the cancellation to
 * our database but lost it at orders (which ignores payment:created for a cancelled order) is
 * refunded here; if Stripe fails, the event is redelivered and the refund retried.
 */
export const orderCancelled = (stripe: Stripe) =>
  defineListener({
    event: 'order:cancelled',
    async handle({ data }, { tx, logger }) {
      // Locked like the route's recordCharge does, so a charge being stored now is seen below.
      const [current] = await tx.select({ version: orders.version }).from(orders).where(eq(orders.id, data.id)).for('update');
      if (checkVersion(current?.version, data.version, `order ${data.id}`) === 'stale') return;
      await tx.update(orders).set({ status: 'cancelled', version: data.version }).where(eq(orders.id, data.id));

      const [payment] = await tx.select().from(payments).where(and(eq(payments.orderId, data.id), isNull(payments.refundedAt)));
      if (!payment) return;
      await refundPayment(stripe, payment.orderId, payment.stripeId);
      await tx.update(payments).set({ refundedAt: new Date() }).where(eq(payments.id, payment.id));
      logger.warn({ orderId: data.id, paymentIntentId: payment.stripeId }, 'refunded the payment of a cancelled order');
    },
  });
