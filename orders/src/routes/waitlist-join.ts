import { Router } from 'express';
import { BadRequestError, isUniqueViolation, isUuid, NotFoundError, requireAuth, userOf, validate, validated, waitlistRoutes } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { ONE_ACTIVE_ENTRY_PER_USER } from '../db/waitlist-schema';
import { joinWaitlist } from '../waitlist/entries';

const route = waitlistRoutes.join;

/** `POST /api/orders/waitlist {ticketId}` → 201 `{position}`: join the line of a reserved ticket. */
export function joinWaitlistRouter({ db, offerWindowSeconds }: { db: OrdersDb; offerWindowSeconds: number }): Router {
  return Router().post(route.path, requireAuth, validate(route.request), async (req, res) => {
    const { ticketId } = validated(req, route.request).body;
    if (!isUuid(ticketId)) throw new NotFoundError('Ticket not found');
    try {
      const joined = await db.transaction((tx) => joinWaitlist(tx, { ticketId, userId: userOf(req).id, offerWindowSeconds }));
      if (joined === 'unknown-ticket') throw new NotFoundError('Ticket not found');
      res.status(201).json(joined);
    } catch (err) {
      if (isUniqueViolation(err, ONE_ACTIVE_ENTRY_PER_USER)) throw new BadRequestError('You are already on the waiting list for this ticket', 'ticketId');
      throw err;
    }
  });
}
