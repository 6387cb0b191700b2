import { BadRequestError, isUuid, type Logger, NotFoundError, PaymentRequiredError, requireAuth, userOf, validateRequest } from '@microtick/common';
import { Router } from 'express';
import { body } from 'express-validator';
import { payOrder, type PaymentDeps } from '../charging/pay-order';

/** Stripe test tokens (`tok_visa`) and PaymentMethod ids (`pm_card_visa`, `pm_1Q…`). */
const STRIPE_PAYMENT_METHOD = /^(tok|pm)_[A-Za-z0-9_]+$/;

interface CreatePaymentBody {
  orderId: string;
  token: string;
}

/** POST /api/payments {orderId, token}: the order's owner pays it with a card. */
export function createPaymentRouter(deps: PaymentDeps & { logger: Logger }): Router {
  const router = Router();
  router.post(
    '/api/payments',
    requireAuth,
    body('orderId').isString().withMessage('orderId is required').bail().notEmpty().withMessage('orderId is required'),
    body('token')
      .isString().withMessage('token is required').bail()
      .isLength({ min: 1, max: 255 }).withMessage('token must be 1 to 255 characters').bail()
      .matches(STRIPE_PAYMENT_METHOD).withMessage('token must be a Stripe card token (tok_…) or PaymentMethod id (pm_…)'),
    validateRequest,
    async (req, res) => {
      const { orderId, token } = req.body as CreatePaymentBody;
      // Ids are UUIDs: anything else names no order.
      if (!isUuid(orderId)) throw new NotFoundError('Order not found');

      const outcome = await payOrder(deps, { orderId, userId: userOf(req).id, paymentMethod: token }, deps.logger);
      switch (outcome.kind) {
        case 'paid': {
          const { id, orderId: paidOrderId, stripeId } = outcome.payment;
          res.status(201).json({ id, orderId: paidOrderId, stripeId });
          return;
        }
        case 'declined':
          throw new PaymentRequiredError(outcome.message);
        case 'rejected':
          throw new BadRequestError(outcome.message, outcome.field);
        case 'refunded':
          throw new BadRequestError('Order has expired; your card was not charged');
        case 'already-paid':
          throw new BadRequestError('Order is already paid');
      }
    },
  );
  return router;
}
