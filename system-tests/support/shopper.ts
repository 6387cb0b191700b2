import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type ApiError, type ApiResponse } from './api-client';
import type { Order, Ticket } from './types';

/** How a purchase is meant to end. */
export type Plan = 'pay' | 'decline, then pay' | 'cancel' | 'let expire';

/** How it ended, as the client saw it. */
export type Outcome = 'authorized' | 'cancelled' | 'left to expire' | 'too late to pay' | 'not ordered' | 'gave up';

export interface Purchase {
  plan: Plan;
  outcome: Outcome;
  ticketId?: string;
  orderId?: string;
  /** Anything the client found odd on the way; empty when all went by the book. */
  oddities: string[];
}

/** What chaos cost the clients: failures they absorbed by asking again. */
export interface RetryStats {
  requests: number;
  /** By gateway status (502, 503, 504) or 'no answer'. */
  retried: Record<string, number>;
}

export const newRetryStats = (): RetryStats => ({ requests: 0, retried: {} });

/** What a client may simply ask again: the gateway could not reach a (re)starting service, or no answer came. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);
const RETRY_PAUSE_MS = 200;
const PASSWORD = 'chaos monkey proof';

/**
 * A buyer or seller who keeps going through failures the way a careful client would: a request
 * that got no answer or a 502/503/504 is sent again until `deadline`. A request that was resent
 * may already have been applied, so the flows below treat "already done" answers accordingly.
 */
export class Shopper {
  private constructor(readonly client: ApiClient, private readonly stats: RetryStats) {}

  /** Signs up, or signs in when a sign-up that got no answer had in fact worked. */
  static async join(baseUrl: string, stats: RetryStats, deadline: number): Promise<Shopper> {
    const email = `chaos-${randomUUID().slice(0, 8)}@example.com`;
    const shopper = new Shopper(new ApiClient(baseUrl, email), stats);
    const signedUp = await shopper.send('POST', '/api/users/signup', { email, password: PASSWORD }, deadline);
    if (signedUp.response.status === 201) return shopper;
    const signedIn = await shopper.send('POST', '/api/users/signin', { email, password: PASSWORD }, deadline);
    if (signedUp.resent && signedIn.response.status === 200) return shopper;
    throw new Error(`could not join: sign-up ${signedUp.response.status}, sign-in ${signedIn.response.status}`);
  }

  async send<T>(method: string, path: string, body: unknown, deadline: number): Promise<{ response: ApiResponse<T>; resent: boolean }> {
    let resent = false;
    for (;;) {
      this.stats.requests++;
      let failure: string;
      try {
        const response = await this.client.request<T>(method, path, body);
        if (!TRANSIENT_STATUSES.has(response.status)) return { response, resent };
        failure = String(response.status);
      } catch {
        failure = 'no answer';
      }
      this.stats.retried[failure] = (this.stats.retried[failure] ?? 0) + 1;
      if (Date.now() > deadline) throw new Error(`${method} ${path} still failing (${failure}) at the deadline`);
      resent = true;
      await sleep(RETRY_PAUSE_MS);
    }
  }
}

/** A seller lists a ticket, a buyer orders it and then follows `plan`. Never throws: problems end up in the record. */
export async function purchase(seller: Shopper, buyer: Shopper, plan: Plan, deadline: number): Promise<Purchase> {
  const record: Purchase = { plan, outcome: 'gave up', oddities: [] };
  try {
    const listed = await seller.send<Ticket>('POST', '/api/tickets', { title: `Chaos seat ${randomUUID().slice(0, 6)}`, price: 12.34 }, deadline);
    if (listed.response.status !== 201) throw new Error(`listing answered ${listed.response.status}`);
    record.ticketId = listed.response.body.id;

    const order = await placeOrder(buyer, record.ticketId, deadline);
    if (!order) {
      record.outcome = 'not ordered';
      record.oddities.push('the order was refused');
      return record;
    }
    record.orderId = order.id;

    switch (plan) {
      case 'let expire':
        record.outcome = 'left to expire';
        break;
      case 'cancel': {
        const cancelled = await buyer.send('DELETE', `/api/orders/${order.id}`, undefined, deadline);
        if (cancelled.response.status === 204) record.outcome = 'cancelled';
        else record.oddities.push(`cancelling answered ${cancelled.response.status}`);
        break;
      }
      case 'decline, then pay': {
        const declined = await pay(buyer, order.id, 'tok_chargeDeclined', deadline);
        if (declined !== 'declined' && declined !== 'too late to pay') record.oddities.push(`a declined card ended as ${declined}`);
        if (declined === 'too late to pay') {
          record.outcome = declined;
          break;
        }
        record.outcome = asOutcome(await pay(buyer, order.id, 'tok_visa', deadline), record);
        break;
      }
      case 'pay':
        record.outcome = asOutcome(await pay(buyer, order.id, 'tok_visa', deadline), record);
        break;
    }
  } catch (err) {
    record.oddities.push((err as Error).message);
  }
  return record;
}

/** `authorized`: the card is held; orders then completes the order, or (if it had cancelled it) payments voids the hold. */
type PaymentResult = 'authorized' | 'declined' | 'too late to pay';

function asOutcome(result: PaymentResult, record: Purchase): Outcome {
  if (result !== 'declined') return result;
  record.oddities.push('a good card was declined');
  return 'gave up';
}

/**
 * Orders the ticket once orders knows it (404 until then). A resent order that is answered
 * "already reserved" was probably placed by the first try: the buyer looks for it among theirs.
 */
async function placeOrder(buyer: Shopper, ticketId: string, deadline: number): Promise<Order | undefined> {
  let resentBefore = false;
  for (;;) {
    const { response, resent } = await buyer.send<Order | ApiError>('POST', '/api/orders', { ticketId }, deadline);
    resentBefore ||= resent;
    if (response.status === 201) return response.body as Order;
    if (response.status === 400 && resentBefore) {
      const mine = await buyer.send<Order[]>('GET', '/api/orders', undefined, deadline);
      return mine.response.body.find((order) => order.ticket.id === ticketId && order.status !== 'cancelled');
    }
    if (response.status !== 404) return undefined;
    if (Date.now() > deadline) throw new Error(`orders never learned of ticket ${ticketId}`);
    await sleep(RETRY_PAUSE_MS);
  }
}

/**
 * Pays once payments knows the order (404 until then) and no other attempt for it is in flight
 * (409). "Already authorized" (or paid) after a resend means the first try went through.
 */
async function pay(buyer: Shopper, orderId: string, token: string, deadline: number): Promise<PaymentResult> {
  let resentBefore = false;
  for (;;) {
    const { response, resent } = await buyer.send<ApiError>('POST', '/api/payments', { orderId, token }, deadline);
    resentBefore ||= resent;
    if (response.status === 201) return 'authorized';
    if (response.status === 402) return 'declined';
    const message = response.body?.errors?.[0]?.message ?? '';
    if (response.status === 400 && /already (paid|been authorized)/i.test(message) && resentBefore) return 'authorized';
    if (response.status === 400 && /expired|cancelled/i.test(message)) return 'too late to pay';
    if (response.status !== 404 && response.status !== 409) throw new Error(`paying answered ${response.status}: ${message}`);
    if (Date.now() > deadline) throw new Error(`payment of order ${orderId} still ${response.status} at the deadline`);
    await sleep(RETRY_PAUSE_MS);
  }
}
