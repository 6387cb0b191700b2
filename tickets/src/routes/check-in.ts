import { BadRequestError, NotAuthorizedError, NotFoundError, requireAuth, ticketRoutes, userOf, validate, validated, verifyTicketCode } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { Router } from 'express';
import { checkins } from '../db/schema';
import { findTicket } from '../tickets/find-ticket';
import type { RouteDeps } from './route-deps';

/**
 * POST /api/tickets/:id/checkins `{code}`: the seller admits the holder of a ticket code at the
 * door. The code must be one orders signed (checked with its public key alone) for this very
 * ticket. The first scan wins (201); any later one, even one racing it, gets 409 with the time
 * of the first: the checkins primary key decides, not a read before the write.
 */
const route = ticketRoutes.checkIn;

export function checkInRouter({ db, ticketCodePublicKey }: RouteDeps): Router {
  const router = Router();
  router.post(
    route.path,
    requireAuth,
    validate(route.request),
    async (req, res) => {
      const { code } = validated(req, route.request).body;
      const ticket = await findTicket(db, req.params.id);
      if (!ticket) throw new NotFoundError('Ticket not found');
      if (ticket.userId !== userOf(req).id) throw new NotAuthorizedError();
      const claim = verifyTicketCode(ticketCodePublicKey, code);
      if (!claim) throw new BadRequestError('This is not a valid ticket code', 'code');
      if (claim.ticketId !== ticket.id) throw new BadRequestError('This code is for another ticket', 'code');

      const [admitted] = await db
        .insert(checkins)
        .values({ ticketId: ticket.id, orderId: claim.orderId, checkedInBy: userOf(req).id })
        .onConflictDoNothing()
        .returning();
      if (admitted) {
        res.status(201).json({ checkedInAt: admitted.checkedInAt.toISOString() });
        return;
      }
      const [first] = await db.select().from(checkins).where(eq(checkins.ticketId, ticket.id));
      if (!first) throw new Error(`check-in of ticket ${ticket.id} conflicted but is not there`);
      const checkedInAt = first.checkedInAt.toISOString();
      res.status(409).json({ checkedInAt, errors: [{ message: `Already checked in at ${checkedInAt}` }] });
    },
  );
  return router;
}
