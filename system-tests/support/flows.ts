import { waitFor } from '@microtick/common/testing';
import type { ApiClient, ApiResponse } from './api-client';
import type { Order, Ticket } from './types';

/** Generous bound for anything that crosses services through the bus. */
export const EVENTUAL_MS = 15_000;

export async function createTicket(seller: ApiClient, title: string, price: number): Promise<Ticket> {
  const { status, body } = await seller.post<Ticket>('/api/tickets', { title, price });
  if (status !== 201) throw new Error(`creating a ticket failed with ${status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Orders a ticket as soon as orders has its replica of it: until `ticket:created` has been
 * applied there, orders answers 404. Any other answer is returned as it is.
 */
export async function orderWhenReplicated(buyer: ApiClient, ticketId: string): Promise<ApiResponse<Order>> {
  return waitFor(
    async () => {
      const response = await buyer.post<Order>('/api/orders', { ticketId });
      return response.status === 404 ? undefined : response;
    },
    { timeoutMs: EVENTUAL_MS, intervalMs: 100, what: `orders to know ticket ${ticketId}` },
  );
}

export const getTicket = async (client: ApiClient, id: string): Promise<Ticket> => (await client.get<Ticket>(`/api/tickets/${id}`)).body;

export const getOrder = async (client: ApiClient, id: string): Promise<Order> => (await client.get<Order>(`/api/orders/${id}`)).body;

/** Ids of the tickets for sale (the first 100, newest first). */
export const listedIds = async (client: ApiClient): Promise<Set<string>> =>
  new Set((await client.get<Ticket[]>('/api/tickets?limit=100')).body.map((ticket) => ticket.id));

export const waitForTicket = (client: ApiClient, id: string, predicate: (ticket: Ticket) => boolean, what: string) =>
  waitFor(async () => {
    const ticket = await getTicket(client, id);
    return predicate(ticket) ? ticket : undefined;
  }, { timeoutMs: EVENTUAL_MS, intervalMs: 100, what });

export const waitForOrder = (client: ApiClient, id: string, predicate: (order: Order) => boolean, what: string, timeoutMs = EVENTUAL_MS) =>
  waitFor(async () => {
    const order = await getOrder(client, id);
    return predicate(order) ? order : undefined;
  }, { timeoutMs, intervalMs: 100, what });
