import { BadRequestError, isUuid, NotFoundError, paymentRoutes, PaymentRequiredError, requireAuth, userOf, validate, validated } from '@microtick/common';
import { Router } from 'express';
import { payOrder, type PaymentDeps } from '../payments/pay-order';
import type { Payment } from '../db/schema';

const answer = ({ id, orderId, stripeId }: Payment) => ({ id, orderId, stripeId });

/**
 * POST /api/payments {orderId, token}: the order's owner authorizes its price on a card. The
 * answer says what is true now, never "paid": `authorized` (orders will complete the order, then
 * the money is taken) or `requires_action` with the PaymentIntent's `clientSecret` for the
 * customer's extra step.
 */
export function createPaymentRouter(deps: PaymentDeps): Router {
  const router = Router();
  router.post(
    paymentRoutes.create.path,
    requireAuth,
    // {orderId, token}: common/src/api/payments.ts
    validate(paymentRoutes.create.request),
    async (req, res) => {
      const { orderId, token } = validated(req, paymentRoutes.create.request).body;
      // Ids are UUIDs: anything else names no order.
      if (!isUuid(orderId)) throw new NotFoundError('Order not found');

      const outcome = await payOrder(deps, { orderId, userId: userOf(req).id, paymentMethod: token });
      switch (outcome.kind) {
        case 'authorized':
          res.status(201).json({ ...answer(outcome.payment), status: 'authorized' });
          return;
        case 'requires_action':
          res.status(201).json({ ...answer(outcome.payment), status: 'requires_action', clientSecret: outcome.payment.clientSecret });
          return;
        case 'declined':
          throw new PaymentRequiredError(outcome.message);
        case 'rejected':
          throw new BadRequestError(outcome.message, outcome.field);
        case 'order-cancelled':
          throw new BadRequestError('Order has expired; your card was not charged');
        case 'already-authorized':
          throw new BadRequestError('A payment for this order has already been authorized');
      }
    },
  );
  return router;
}
