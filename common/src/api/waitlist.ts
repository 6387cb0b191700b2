import { z } from 'zod';
import { defineRoute, errors, json, uuid } from './route-definition';

/** Any string: an id that is no UUID names no ticket, so the route answers it 404 like an unknown one. */
export const joinWaitlistBody = z
  .object({ ticketId: z.string({ error: 'ticketId must be provided' }).meta({ format: 'uuid' }) })
  .meta({ id: 'JoinWaitlistRequest' });

export const joinedWaitlistJson = z
  .object({ position: z.number().int().min(1).meta({ description: 'The place in line; 1 is next.' }) })
  .meta({ id: 'WaitlistPosition' });

export const waitlistStatus = z.enum(['waiting', 'offered', 'expired', 'ended']);

export const waitlistEntryJson = z
  .object({
    ticketId: uuid,
    position: z.number().int().min(1).meta({ description: 'The live place in line while waiting or offered (the offer is 1); for a finished entry, its last place.' }),
    status: waitlistStatus.meta({
      description: '`waiting` in line; `offered` the ticket is held for you until `offerExpiresAt`; `expired` your offer passed on; `ended` you ordered it from your offer, or it was sold.',
    }),
    offerExpiresAt: z.iso.datetime().optional().meta({ description: 'While `offered`: until when only you can order the ticket.' }),
  })
  .meta({ id: 'WaitlistEntry' });

const ticketParams = z.object({ ticketId: z.string().meta({ description: "The ticket's id (a UUID; anything else answers 404).", format: 'uuid' }) });

/** The waiting list (docs/waitlist.md), owned by orders. */
export const waitlistRoutes = {
  join: defineRoute({
    method: 'post',
    path: '/api/orders/waitlist',
    summary: 'Get in line for a reserved ticket',
    auth: 'session',
    request: { body: joinWaitlistBody },
    responses: {
      201: json(joinedWaitlistJson, 'Your place in line'),
      ...errors({ 400: 'Invalid body; your own ticket, one you hold, one sold or not reserved; or already in line', 401: 'Not signed in', 404: 'No such ticket' }),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/orders/waitlist',
    summary: "The caller's waiting-list entries, newest first",
    auth: 'session',
    request: {},
    responses: { 200: json(z.array(waitlistEntryJson), 'The entries'), ...errors({ 401: 'Not signed in' }) },
  }),
  leave: defineRoute({
    method: 'delete',
    path: '/api/orders/waitlist/:ticketId',
    summary: "Leave a ticket's waiting list (during your offer, it passes to the next in line)",
    auth: 'session',
    request: { params: ticketParams },
    responses: { 204: { description: 'Left' }, ...errors({ 401: 'Not signed in', 404: 'Not on that waiting list' }) },
  }),
  events: defineRoute({
    method: 'get',
    path: '/api/orders/waitlist/events',
    summary: "A live stream of the caller's waiting-list entries",
    description:
      'Server-sent events: `event: waitlist` with the same array as `GET /api/orders/waitlist`, on connect and after every change to your entries or your place in line. The stream stays open (a comment line every 15 s); it ends when the service shuts down, and EventSource reconnects.',
    auth: 'session',
    request: {},
    responses: { 200: { description: 'The event stream', contentType: 'text/event-stream' }, ...errors({ 401: 'Not signed in' }) },
  }),
};
