import { defineListener, toCents } from '@microtick/common';
import { orders } from '../../payments/orders-replica';

/** Starts the replica of an order (version 0) so that its owner can pay it. */
export const orderCreated = defineListener({
  event: 'order:created',
  async handle({ data }, { tx }) {
    await orders.apply(tx, data, {
      values: { status: data.status, userId: data.userId, expiresAt: new Date(data.expiresAt), priceCents: toCents(data.ticket.price) },
    });
  },
});
