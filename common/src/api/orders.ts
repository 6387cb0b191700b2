import { z } from 'zod';
import { orderStatus } from '../events/primitives';
import { defineRoute, errors, idParam, json, uuid } from './route-definition';

/** Any string: an id that is no UUID names no ticket, so the route answers it 404 like an unknown one. */
export const createOrderBody = z.object({ ticketId: z.string({ error: 'ticketId must be provided' }).meta({ format: 'uuid' }) }).meta({ id: 'CreateOrderRequest' });

export const orderJson = z
  .object({
    id: uuid,
    userId: uuid.meta({ description: 'The buyer.' }),
    status: orderStatus,
    expiresAt: z.iso.datetime().meta({ description: 'When the reservation lapses unless paid.' }),
    version: z.number().int(),
    ticket: z.object({ id: uuid, title: z.string(), price: z.number() }),
  })
  .meta({ id: 'Order' });

export const ticketCodeJson = z
  .object({
    code: z.string().meta({ description: 'MT1.… signed by orders (Ed25519): what the seller checks in.' }),
    qrSvg: z.string().meta({ description: 'The code as a QR code, an SVG document.' }),
  })
  .meta({ id: 'TicketCode' });

const orderParams = idParam('order');

export const orderRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/orders',
    summary: 'Reserve a ticket until `expiresAt`',
    auth: 'session',
    request: { body: createOrderBody },
    responses: {
      201: json(orderJson, 'The new order'),
      ...errors({ 400: 'Invalid body, own ticket, or the ticket is already reserved', 401: 'Not signed in', 404: 'No such ticket' }),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/orders',
    summary: "The caller's orders, newest first",
    auth: 'session',
    request: {},
    responses: { 200: json(z.array(orderJson), 'The orders'), ...errors({ 401: 'Not signed in' }) },
  }),
  show: defineRoute({
    method: 'get',
    path: '/api/orders/:id',
    summary: 'One of the caller\'s orders',
    auth: 'session',
    request: { params: orderParams },
    responses: { 200: json(orderJson, 'The order'), ...errors({ 401: 'Not signed in, or not the buyer', 404: 'No such order' }) },
  }),
  ticket: defineRoute({
    method: 'get',
    path: '/api/orders/:id/ticket',
    summary: "A paid order's ticket code and its QR code",
    auth: 'session',
    request: { params: orderParams },
    responses: { 200: json(ticketCodeJson, 'The ticket code'), ...errors({ 400: 'The order is not complete', 401: 'Not signed in, or not the buyer', 404: 'No such order' }) },
  }),
  events: defineRoute({
    method: 'get',
    path: '/api/orders/:id/events',
    summary: "One of the caller's orders, live (Server-Sent Events)",
    description:
      '`event: order` with the order JSON (`id:` its version) on connect and after every change; the stream ends after `complete` or `cancelled`. ' +
      'A reconnect gets a fresh snapshot. A comment line every 15 s keeps proxies from timing it out.',
    auth: 'session',
    request: { params: orderParams },
    responses: {
      200: { description: 'The stream of the order', contentType: 'text/event-stream' },
      ...errors({ 401: 'Not signed in, or not the buyer', 404: 'No such order' }),
    },
  }),
  cancel: defineRoute({
    method: 'delete',
    path: '/api/orders/:id',
    summary: 'Cancel an unpaid order (releases the ticket)',
    auth: 'session',
    request: { params: orderParams },
    responses: {
      204: { description: 'Cancelled (also when it already was)' },
      ...errors({ 400: 'The order is complete', 401: 'Not signed in, or not the buyer', 404: 'No such order' }),
    },
  }),
};
