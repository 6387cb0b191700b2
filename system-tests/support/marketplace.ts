import { sessionCookie } from '@microtick/common/testing';
import { signUp, type ApiClient } from './api-client';
import { createTicket, orderWhenReplicated, waitForOrder } from './flows';
import { payWhenReplicated } from './pay';
import type { SessionUser } from './session-cookies';
import type { Order, Ticket } from './types';

/** A signed-up user: their client, who they are, and a session cookie for raw requests. */
export interface Member {
  client: ApiClient;
  user: SessionUser;
  cookie: string;
}

export async function joinAsMember(baseUrl: string, jwtKey: string): Promise<Member> {
  const client = await signUp(baseUrl);
  const { body } = await client.get<{ currentUser: SessionUser }>('/api/users/currentuser');
  const user = { id: body.currentUser.id, email: body.currentUser.email };
  return { client, user, cookie: sessionCookie(user, { jwtKey }) };
}

/** A seller's tickets in every state a buyer can leave them, and the buyer's orders for them. */
export interface Marketplace {
  seller: Member;
  buyer: Member;
  stranger: Member;
  freeTicket: Ticket;
  reservedTicket: Ticket;
  soldTicket: Ticket;
  releasedTicket: Ticket;
  /** Created, on reservedTicket. */
  openOrder: Order;
  /** Complete, on soldTicket. */
  paidOrder: Order;
  /** Cancelled by the buyer, on releasedTicket. */
  cancelledOrder: Order;
}

export async function openMarketplace(members: Pick<Marketplace, 'seller' | 'buyer' | 'stranger'>): Promise<Marketplace> {
  const { seller, buyer } = members;
  const [freeTicket, reservedTicket, soldTicket, releasedTicket] = await Promise.all(
    ['Free seat', 'Reserved seat', 'Sold seat', 'Released seat'].map((title, i) => createTicket(seller.client, title, 10 + i)),
  ) as [Ticket, Ticket, Ticket, Ticket];
  const [openOrder, paidOrder, cancelledOrder] = await Promise.all(
    [reservedTicket, soldTicket, releasedTicket].map(async (ticket) => {
      const ordered = await orderWhenReplicated(buyer.client, ticket.id);
      if (ordered.status !== 201) throw new Error(`ordering a fixture ticket failed with ${ordered.status}`);
      return ordered.body;
    }),
  ) as [Order, Order, Order];
  const paid = await payWhenReplicated(buyer.client, paidOrder.id);
  if (paid.status !== 201) throw new Error(`paying a fixture order failed with ${paid.status}: ${JSON.stringify(paid.body)}`);
  const cancelled = await buyer.client.delete(`/api/orders/${cancelledOrder.id}`);
  if (cancelled.status !== 204) throw new Error(`cancelling a fixture order failed with ${cancelled.status}`);
  return {
    ...members,
    freeTicket,
    reservedTicket,
    soldTicket,
    releasedTicket,
    openOrder,
    paidOrder: await waitForOrder(buyer.client, paidOrder.id, (o) => o.status === 'complete', 'the fixture order to complete'),
    cancelledOrder: { ...cancelledOrder, status: 'cancelled' },
  };
}
