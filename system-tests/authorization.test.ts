/**
 * Who may do what, through the gateway: every route docs/openapi.json describes × {anonymous, another user, the
 * owner, a forged JWT (the owner's claims signed with another key), an expired JWT (the owner's,
 * correctly signed)} gives the expected status. Each cell gets fresh resources, so cells cannot
 * affect each other, and a rejected cell must leave every service's state as it was; every
 * answer carries the security headers. The per-user abuse limits (one user's orders never
 * count against another's) are in abuse-limits.test.ts. The matrix is printed at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { waitFor } from '@microtick/common/testing';

import { ApiClient } from './support/api-client';
import { errorShapeProblem } from './support/error-shape';
import { describedRoutes, routeCoverage } from './support/described-routes';
import { createTicket, EVENTUAL_MS, orderWhenReplicated, waitForOrder } from './support/flows';
import { joinAsMember, type Member } from './support/marketplace';
import { payWhenReplicated } from './support/pay';
import { sendRaw, type RawResponse } from './support/raw-http';
import { sendForHead } from './support/stream-head';
import { counterfeitCookies, expiredCookie, forgedCookie } from './support/session-cookies';
import { BusProbe, eventFlow, settled } from './support/settle';
import { changedTables, StackDatabases } from './support/stack-databases';
import { type TestStack, useTestStack } from './support/test-stack';
import type { Order, Ticket } from './support/types';

const PERSONAS = ['anonymous', 'other user', 'owner', 'forged JWT', 'expired JWT'] as const;
type Persona = (typeof PERSONAS)[number];

const JWT_KEY = randomBytes(32).toString('hex');
const KNOWN_PASSWORD = 'matrix password 1';

/** One request of the matrix, about resources made for it alone. */
interface Cell {
  /** Whose resource it is (for routes about no one's resource: just a signed-in user). */
  owner: Member;
  method: string;
  path: string;
  body?: unknown;
}

interface Row {
  route: string;
  prepare(): Promise<Cell>;
  expected: Record<Persona, number>;
  /** What a successful answer may show this persona. */
  inspect?(persona: Persona, body: unknown, cell: Cell): void;
  /** A successful answer is a stream that stays open: judged by status and content type, then closed. */
  stream?: string;
  /** The same, for answers that are not JSON. */
  inspectRaw?(persona: Persona, response: RawResponse): void;
}

const everyone = (status: number): Record<Persona, number> => ({ anonymous: status, 'other user': status, owner: status, 'forged JWT': status, 'expired JWT': status });
const signedIn = (status: number): Record<Persona, number> => ({ ...everyone(401), 'other user': status, owner: status });
const ownerOnly = (status: number): Record<Persona, number> => ({ ...everyone(401), owner: status });

let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;
let seller: Member;
let buyer: Member;
let other: Member;
/** Asks payments about orders it does not own, to learn when payments knows them. */
let prober: Member;
let knownEmail: string;
const results = new Map<string, Record<Persona, number>>();

useTestStack({ jwtKey: JWT_KEY }, (running) => ({ stack, databases, bus } = running));

beforeAll(async () => {
  [seller, buyer, other, prober] = (await Promise.all([0, 1, 2, 3].map(() => joinAsMember(stack.url, JWT_KEY)))) as [Member, Member, Member, Member];
  knownEmail = `known-${randomUUID().slice(0, 8)}@example.com`;
  const signedUp = await new ApiClient(stack.url).post('/api/users/signup', { email: knownEmail, password: KNOWN_PASSWORD });
  if (signedUp.status !== 201) throw new Error(`sign-up failed with ${signedUp.status}`);
}, 120_000);

afterAll(() => console.log(formatMatrix()));

const newTicket = (): Promise<Ticket> => createTicket(seller.client, `Seat ${randomUUID().slice(0, 6)}`, 25);

/** A ticket orders knows about: until then it answers 404; the seller's own try is refused without effect. */
async function ticketOrdersKnow(): Promise<Ticket> {
  const ticket = await newTicket();
  await waitFor(async () => (await seller.client.post('/api/orders', { ticketId: ticket.id })).status !== 404, {
    timeoutMs: EVENTUAL_MS,
    intervalMs: 100,
    what: 'orders to know the ticket',
  });
  return ticket;
}

async function buyersOrder(): Promise<Order> {
  const ordered = await orderWhenReplicated(buyer.client, (await newTicket()).id);
  if (ordered.status !== 201) throw new Error(`ordering failed with ${ordered.status}`);
  return ordered.body;
}

/** An order payments knows about: until then it answers 404 to anyone; then 401 to someone else. */
async function orderPaymentsKnow(): Promise<Order> {
  const order = await buyersOrder();
  await waitFor(async () => (await prober.client.post('/api/payments', { orderId: order.id, token: 'tok_visa' })).status === 401, {
    timeoutMs: EVENTUAL_MS,
    intervalMs: 100,
    what: 'payments to know the order',
  });
  return order;
}

/** The ticket the owner joined for the current `GET /api/orders/waitlist` cell. */
let joinedTicketId = '';

/** The buyer's paid (complete) order, and its ticket code as the buyer gets it. */
async function buyersCompleteOrder(): Promise<{ order: Order; code: string }> {
  const order = await buyersOrder();
  const paid = await payWhenReplicated(buyer.client, order.id);
  if (paid.status !== 201) throw new Error(`paying failed with ${paid.status}`);
  await waitForOrder(buyer.client, order.id, (o) => o.status === 'complete', 'the order to complete');
  // Payments captures after orders' decision, outside any event handler: wait for it, so no
  // capture lands while a rejected cell checks that nothing changed.
  await waitFor(async () => {
    const payments = await buyer.client.get<{ status: string }[]>(`/api/payments?orderId=${order.id}`);
    return payments.status === 200 && payments.body.some((payment) => payment.status === 'captured');
  }, { timeoutMs: EVENTUAL_MS, intervalMs: 100, what: 'the payment to be captured' });
  const ticket = await buyer.client.get<{ code: string }>(`/api/orders/${order.id}/ticket`);
  if (ticket.status !== 200) throw new Error(`the ticket code answered ${ticket.status}`);
  return { order, code: ticket.body.code };
}

const ROWS: Row[] = [
  {
    route: 'POST /api/users/signup',
    prepare: async () => ({ owner: buyer, method: 'POST', path: '/api/users/signup', body: { email: `new-${randomUUID()}@example.com`, password: 'a new password' } }),
    expected: everyone(201),
  },
  {
    route: 'POST /api/users/signin',
    prepare: async () => ({ owner: buyer, method: 'POST', path: '/api/users/signin', body: { email: knownEmail, password: KNOWN_PASSWORD } }),
    expected: everyone(200),
  },
  {
    route: 'POST /api/users/signout',
    prepare: async () => ({ owner: buyer, method: 'POST', path: '/api/users/signout' }),
    expected: everyone(200),
  },
  {
    route: 'GET /api/users/currentuser',
    prepare: async () => ({ owner: buyer, method: 'GET', path: '/api/users/currentuser' }),
    expected: everyone(200),
    inspect: (persona, body, cell) => {
      const expectedId = persona === 'owner' ? cell.owner.user.id : persona === 'other user' ? other.user.id : undefined;
      expect(body).toEqual({ currentUser: expectedId ? { id: expectedId, email: expect.any(String) } : null });
    },
  },
  {
    route: 'POST /api/tickets',
    prepare: async () => ({ owner: seller, method: 'POST', path: '/api/tickets', body: { title: 'Matrix seat', price: 12.5 } }),
    expected: signedIn(201),
  },
  {
    route: 'GET /api/tickets',
    prepare: async () => ({ owner: seller, method: 'GET', path: '/api/tickets' }),
    expected: everyone(200),
  },
  {
    route: 'GET /api/tickets/:id',
    prepare: async () => ({ owner: seller, method: 'GET', path: `/api/tickets/${(await newTicket()).id}` }),
    expected: everyone(200),
  },
  {
    route: 'PUT /api/tickets/:id',
    prepare: async () => ({ owner: seller, method: 'PUT', path: `/api/tickets/${(await newTicket()).id}`, body: { title: 'Renamed', price: 30 } }),
    expected: ownerOnly(200),
  },
  {
    route: 'POST /api/orders',
    prepare: async () => ({ owner: seller, method: 'POST', path: '/api/orders', body: { ticketId: (await ticketOrdersKnow()).id } }),
    // The ticket's owner may not buy it: 400, not 401, since anyone signed in may order.
    expected: { ...signedIn(201), owner: 400 },
  },
  {
    route: 'GET /api/orders',
    prepare: async () => {
      await buyersOrder();
      return { owner: buyer, method: 'GET', path: '/api/orders' };
    },
    expected: signedIn(200),
    inspect: (persona, body, cell) => {
      const caller = persona === 'owner' ? cell.owner.user.id : other.user.id;
      const owners = new Set((body as Order[]).map((order) => order.userId));
      expect([...owners]).toEqual(persona === 'owner' || owners.size ? [caller] : []);
    },
  },
  {
    route: 'GET /api/orders/:id',
    prepare: async () => ({ owner: buyer, method: 'GET', path: `/api/orders/${(await buyersOrder()).id}` }),
    expected: ownerOnly(200),
  },
  {
    route: 'DELETE /api/orders/:id',
    prepare: async () => ({ owner: buyer, method: 'DELETE', path: `/api/orders/${(await buyersOrder()).id}` }),
    expected: ownerOnly(204),
  },
  {
    route: 'POST /api/orders/waitlist',
    // A ticket someone else holds; the joiner is neither its seller nor its holder.
    prepare: async () => ({ owner: prober, method: 'POST', path: '/api/orders/waitlist', body: { ticketId: (await buyersOrder()).ticket.id } }),
    expected: signedIn(201),
  },
  {
    route: 'GET /api/orders/waitlist',
    prepare: async () => {
      joinedTicketId = (await buyersOrder()).ticket.id;
      await prober.client.post('/api/orders/waitlist', { ticketId: joinedTicketId });
      return { owner: prober, method: 'GET', path: '/api/orders/waitlist' };
    },
    expected: signedIn(200),
    inspect: (persona, body) => {
      // Entries carry no user id: only the owner's list has the ticket the owner just joined.
      const ticketIds = (body as { ticketId: string }[]).map((entry) => entry.ticketId);
      expect(ticketIds.includes(joinedTicketId)).toBe(persona === 'owner');
    },
  },
  {
    route: 'DELETE /api/orders/waitlist/:ticketId',
    prepare: async () => {
      const { ticket } = await buyersOrder();
      const joined = await prober.client.post('/api/orders/waitlist', { ticketId: ticket.id });
      if (joined.status !== 201) throw new Error(`joining failed with ${joined.status}`);
      return { owner: prober, method: 'DELETE', path: `/api/orders/waitlist/${ticket.id}` };
    },
    // Someone else is simply not on that list: 404, and nothing of the owner's is touched.
    expected: { ...ownerOnly(204), 'other user': 404 },
  },
  {
    route: 'GET /api/orders/waitlist/events',
    prepare: async () => ({ owner: prober, method: 'GET', path: '/api/orders/waitlist/events' }),
    expected: signedIn(200),
    stream: 'text/event-stream',
  },
  {
    route: 'GET /api/tickets/mine',
    prepare: async () => {
      await newTicket();
      return { owner: seller, method: 'GET', path: '/api/tickets/mine' };
    },
    expected: signedIn(200),
    inspect: (persona, body, cell) => {
      const caller = persona === 'owner' ? cell.owner.user.id : other.user.id;
      const owners = new Set((body as Ticket[]).map((ticket) => ticket.userId));
      expect([...owners]).toEqual(persona === 'owner' || owners.size ? [caller] : []);
    },
  },
  {
    route: 'GET /api/tickets/mine/summary',
    prepare: async () => ({ owner: seller, method: 'GET', path: '/api/tickets/mine/summary' }),
    expected: signedIn(200),
  },
  {
    route: 'GET /api/orders/:id/ticket',
    prepare: async () => ({ owner: buyer, method: 'GET', path: `/api/orders/${(await buyersCompleteOrder()).order.id}/ticket` }),
    expected: ownerOnly(200),
  },
  {
    route: 'POST /api/tickets/:id/checkins',
    prepare: async () => {
      const { order, code } = await buyersCompleteOrder();
      // Only the ticket's seller may check the code in.
      return { owner: seller, method: 'POST', path: `/api/tickets/${order.ticket.id}/checkins`, body: { code } };
    },
    expected: ownerOnly(201),
  },
  {
    route: 'GET /api/orders/:id/events',
    // A cancelled order: the stream sends it once and ends, so the cell gets a whole answer.
    prepare: async () => ({ owner: buyer, method: 'GET', path: `/api/orders/${(await cancelledBuyersOrder()).id}/events` }),
    expected: ownerOnly(200),
    inspectRaw: (persona, response) => {
      if (persona !== 'owner') return;
      expect(response.contentType).toMatch(/^text\/event-stream/);
      expect(response.text).toMatch(/^event: order\nid: 1\ndata: \{.*"status":"cancelled".*\}\n\n$/);
    },
  },
  {
    route: 'POST /api/payments',
    prepare: async () => ({ owner: buyer, method: 'POST', path: '/api/payments', body: { orderId: (await orderPaymentsKnow()).id, token: 'tok_visa' } }),
    expected: ownerOnly(201),
  },
  {
    route: 'GET /api/payments',
    prepare: async () => ({ owner: buyer, method: 'GET', path: `/api/payments?orderId=${(await orderPaymentsKnow()).id}` }),
    expected: ownerOnly(200),
  },
  {
    route: 'POST /api/payments/webhook',
    // Stripe's signature, not a session, is what counts: without one, nobody gets in.
    prepare: async () => ({ owner: buyer, method: 'POST', path: '/api/payments/webhook', body: { id: 'evt_1', object: 'event', type: 'payment_intent.canceled' } }),
    expected: everyone(400),
  },
];

async function cancelledBuyersOrder(): Promise<Order> {
  const order = await buyersOrder();
  const cancelled = await buyer.client.request('DELETE', `/api/orders/${order.id}`);
  if (cancelled.status !== 204) throw new Error(`cancelling failed with ${cancelled.status}`);
  return order;
}

function cookieFor(persona: Persona, cell: Cell): string | undefined {
  switch (persona) {
    case 'anonymous':
      return undefined;
    case 'other user':
      return other.cookie;
    case 'owner':
      return cell.owner.cookie;
    case 'forged JWT':
      return forgedCookie(cell.owner.user);
    case 'expired JWT':
      return expiredCookie(cell.owner.user, JWT_KEY);
  }
}

async function runCell(row: Row, persona: Persona): Promise<number> {
  const cell = await row.prepare();
  await settled(eventFlow(databases, bus), EVENTUAL_MS);
  const before = await databases.stateDigest();
  const cookie = cookieFor(persona, cell);
  const response = await (row.stream ? sendForHead : sendRaw)(stack.url, {
    method: cell.method,
    path: cell.path,
    headers: { ...(cell.body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie } : {}) },
    body: cell.body === undefined ? undefined : JSON.stringify(cell.body),
  });
  // Allowed or refused, every answer carries the security headers (common's helmet).
  expect({ route: row.route, persona, nosniff: response.headers['x-content-type-options'], frames: response.headers['x-frame-options'] })
    .toEqual({ route: row.route, persona, nosniff: 'nosniff', frames: 'DENY' });
  if (response.status >= 400) {
    expect(errorShapeProblem(response.contentType, response.text)).toBeUndefined();
    expect(changedTables(before, await databases.stateDigest())).toEqual([]);
  } else if (row.stream) {
    expect(response.contentType).toBe(row.stream);
  } else if (row.inspect) {
    row.inspect(persona, JSON.parse(response.text), cell);
  } else {
    row.inspectRaw?.(persona, response);
  }
  return response.status;
}

describe('authorization matrix', () => {
  it('has a row for every route docs/openapi.json describes (and none for a route it does not)', () => {
    expect(routeCoverage(ROWS.map((row) => row.route))).toEqual({ missing: [], notDescribed: [] });
  });

  it.each(describedRoutes())('%s', async (route) => {
    const row = ROWS.find((candidate) => candidate.route === route);
    if (!row) throw new Error(`no row for ${route} in ROWS: say who may call it`);
    const actual = {} as Record<Persona, number>;
    for (const persona of PERSONAS) actual[persona] = await runCell(row, persona);
    results.set(route, actual);
    expect(actual).toEqual(row.expected);
  }, 60_000);

  it('treats every counterfeit of a session as no session at all', async () => {
    const order = await buyersOrder();
    for (const [kind, cookie] of Object.entries(counterfeitCookies(buyer.user, other.user, JWT_KEY))) {
      const who = await sendRaw(stack.url, { method: 'GET', path: '/api/users/currentuser', headers: { cookie } });
      const theirOrder = await sendRaw(stack.url, { method: 'GET', path: `/api/orders/${order.id}`, headers: { cookie } });
      expect({ kind, currentUser: JSON.parse(who.text), order: theirOrder.status }).toEqual({ kind, currentUser: { currentUser: null }, order: 401 });
    }
  });
});

describe('the live order stream through the gateway', () => {
  it('arrives unbuffered: the snapshot comes while the stream is open, a change follows, then it ends', async () => {
    const order = await buyersOrder();
    const controller = new AbortController();
    const response = await fetch(`${stack.url}/api/orders/${order.id}/events`, { headers: { cookie: buyer.cookie }, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return pattern.test(text);
    };
    try {
      // Nothing has changed yet, so only an unbuffered proxy lets the snapshot through now.
      expect(await readUntil(/"status":"created"[^\n]*\n\n/)).toBe(true);
      expect((await buyer.client.request('DELETE', `/api/orders/${order.id}`)).status).toBe(204);
      expect(await readUntil(/"status":"cancelled"[^\n]*\n\n/)).toBe(true);
      expect((await reader.read()).done).toBe(true);
    } finally {
      controller.abort();
    }
  }, 30_000);
});

function formatMatrix(): string {
  const width = Math.max(...ROWS.map((row) => row.route.length)) + 2;
  const header = ['route'.padEnd(width), ...PERSONAS.map((persona) => persona.padEnd(12))].join('');
  const lines = ROWS.map((row) => {
    const actual = results.get(row.route);
    const cells = PERSONAS.map((persona) => {
      const expected = row.expected[persona];
      const got = actual?.[persona];
      return (got === undefined ? '–' : got === expected ? String(got) : `${got}≠${expected}`).padEnd(12);
    });
    return [row.route.padEnd(width), ...cells].join('');
  });
  return ['Authorization matrix (status; got≠expected marks a failure):', header, ...lines].join('\n');
}
