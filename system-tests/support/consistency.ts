import type { Purchase } from './shopper';
import type { DeadLetterRow, StackDatabases } from './stack-databases';
import type { EmulatorCharge } from './stripe-charges';

/** Everything the checks read, straight from each service's database and from Stripe. */
export interface SystemState {
  orders: { id: string; ticketId: string; status: string; priceCents: number }[];
  ordersTicketReplicas: { id: string; version: number; priceCents: number }[];
  tickets: { id: string; orderId: string | null; version: number; priceCents: number }[];
  ticketsOrderReplicas: { id: string; status: string }[];
  paymentsOrderReplicas: { id: string; status: string }[];
  payments: { orderId: string; stripeId: string; status: string }[];
  pendingAttempts: { orderId: string }[];
  charges: EmulatorCharge[];
  outboxBacklog: Record<string, number>;
  deadLetters: DeadLetterRow[];
}

export async function readSystemState(databases: StackDatabases, charges: EmulatorCharge[], expirationDeadLetters: DeadLetterRow[]): Promise<SystemState> {
  const [orders, ordersTicketReplicas, tickets, ticketsOrderReplicas, paymentsOrderReplicas, payments, pendingAttempts, outboxBacklog, deadLetters] = await Promise.all([
    databases.query<SystemState['orders'][number]>(
      'orders',
      'select id, ticket_id as "ticketId", status, price_cents::int as "priceCents" from orders',
    ),
    databases.query<SystemState['ordersTicketReplicas'][number]>('orders', 'select id, version, price_cents::int as "priceCents" from tickets_replica'),
    databases.query<SystemState['tickets'][number]>('tickets', 'select id, order_id as "orderId", version, price_cents as "priceCents" from tickets'),
    databases.query<SystemState['ticketsOrderReplicas'][number]>('tickets', 'select id, status from orders_replica'),
    databases.query<SystemState['paymentsOrderReplicas'][number]>('payments', 'select id, status from orders_replica'),
    databases.query<SystemState['payments'][number]>('payments', 'select order_id as "orderId", stripe_id as "stripeId", status::text as status from payments'),
    databases.query<SystemState['pendingAttempts'][number]>('payments', `select order_id as "orderId" from payment_attempts where status = 'pending'`),
    databases.outboxBacklog(),
    databases.deadLetters(),
  ]);
  return {
    orders,
    ordersTicketReplicas,
    tickets,
    ticketsOrderReplicas,
    paymentsOrderReplicas,
    payments,
    pendingAttempts,
    charges,
    outboxBacklog,
    deadLetters: [...deadLetters, ...expirationDeadLetters],
  };
}

const TERMINAL = new Set(['complete', 'cancelled']);

/**
 * Every way the services' records could disagree with each other, with Stripe, or with what the
 * clients were told, once the system has settled. Empty when all is consistent.
 */
export function inconsistencies(state: SystemState, purchases: readonly Purchase[]): string[] {
  const problems: string[] = [];
  const orderById = new Map(state.orders.map((order) => [order.id, order]));
  const ticketById = new Map(state.tickets.map((ticket) => [ticket.id, ticket]));
  const groupBy = <T>(items: readonly T[], key: (item: T) => string) => {
    const groups = new Map<string, T[]>();
    for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
    return groups;
  };
  const paymentsByOrder = groupBy(state.payments, (payment) => payment.orderId);
  const chargesByOrder = groupBy(state.charges, (charge) => charge.metadata.orderId ?? '(none)');

  for (const order of state.orders) {
    if (!TERMINAL.has(order.status)) problems.push(`order ${order.id} is still ${order.status}`);
    const ticket = ticketById.get(order.ticketId);
    const held = ticket?.orderId === order.id;
    if (order.status === 'complete' && !held) problems.push(`complete order ${order.id} does not hold its ticket (held by ${ticket?.orderId ?? 'nobody'})`);
    if (order.status === 'cancelled' && held) problems.push(`cancelled order ${order.id} still holds ticket ${order.ticketId}`);

    // Every authorization ends captured with the order complete, or voided with it cancelled.
    const recorded = paymentsByOrder.get(order.id) ?? [];
    const authorizations = chargesByOrder.get(order.id) ?? [];
    const captured = authorizations.filter((charge) => charge.captured);
    for (const charge of authorizations) {
      if (charge.amountRefunded > 0 && !charge.voided) problems.push(`order ${order.id}: PaymentIntent ${charge.paymentIntentId} was captured and then refunded`);
      if (!charge.captured && !charge.voided) problems.push(`order ${order.id}: PaymentIntent ${charge.paymentIntentId} is still authorized, neither captured nor voided`);
    }
    const live = recorded.filter((payment) => payment.status === 'authorized' || payment.status === 'requires_action');
    if (live.length) problems.push(`${order.status} order ${order.id} has ${live.length} payments still ${live.map((p) => p.status).join(', ')}`);
    if (order.status === 'complete') {
      const kept = recorded.filter((payment) => payment.status === 'captured');
      if (kept.length !== 1) problems.push(`complete order ${order.id} has ${kept.length} captured payments`);
      if (captured.length !== 1) problems.push(`complete order ${order.id} has ${captured.length} captures at Stripe`);
      if (captured[0] && captured[0].amountCaptured !== order.priceCents) problems.push(`order ${order.id} cost ${order.priceCents} cents but ${captured[0].amountCaptured} were captured`);
      if (kept[0] && captured[0] && kept[0].stripeId !== captured[0].paymentIntentId) problems.push(`order ${order.id}'s payment names another PaymentIntent than Stripe captured`);
    } else {
      if (captured.length) problems.push(`${order.status} order ${order.id} has ${captured.length} captures at Stripe`);
      const kept = recorded.filter((payment) => payment.status === 'captured');
      if (kept.length) problems.push(`${order.status} order ${order.id} has ${kept.length} captured payments`);
    }
  }
  for (const [orderId] of chargesByOrder) if (!orderById.has(orderId)) problems.push(`Stripe authorized a card for an order no service knows: ${orderId}`);

  for (const [ticketId, orders] of groupBy(state.orders.filter((order) => order.status !== 'cancelled'), (order) => order.ticketId)) {
    if (orders.length > 1) problems.push(`ticket ${ticketId} has ${orders.length} live orders`);
  }
  for (const ticket of state.tickets) {
    if (ticket.orderId && orderById.get(ticket.orderId)?.ticketId !== ticket.id) problems.push(`ticket ${ticket.id} is held by ${ticket.orderId}, which is not an order for it`);
  }

  problems.push(...replicaDisagreements(state));
  for (const [service, rows] of Object.entries(state.outboxBacklog)) if (rows) problems.push(`${service} has ${rows} unpublished outbox rows`);
  for (const letter of state.deadLetters) problems.push(`dead letter in ${letter.service}: ${JSON.stringify(letter)}`);
  for (const attempt of state.pendingAttempts) problems.push(`payment attempt for order ${attempt.orderId} is still pending`);
  problems.push(...clientDisagreements(state, purchases));
  return problems;
}

/** Each service's copy of another's records says what the owner's says. */
function replicaDisagreements(state: SystemState): string[] {
  const problems: string[] = [];
  const orderById = new Map(state.orders.map((order) => [order.id, order]));
  const cancelled = (status: string | undefined) => status === 'cancelled';
  for (const [service, replicas] of [['tickets', state.ticketsOrderReplicas], ['payments', state.paymentsOrderReplicas]] as const) {
    const replicaById = new Map(replicas.map((replica) => [replica.id, replica]));
    for (const order of state.orders) {
      const replica = replicaById.get(order.id);
      if (!replica) problems.push(`${service} never learned of order ${order.id}`);
      else if (cancelled(replica.status) !== cancelled(order.status)) problems.push(`${service} thinks order ${order.id} is ${replica.status}, orders says ${order.status}`);
    }
    for (const replica of replicas) if (!orderById.has(replica.id)) problems.push(`${service} knows an order orders does not: ${replica.id}`);
  }
  const replicaById = new Map(state.ordersTicketReplicas.map((replica) => [replica.id, replica]));
  for (const ticket of state.tickets) {
    const replica = replicaById.get(ticket.id);
    if (!replica) problems.push(`orders never learned of ticket ${ticket.id}`);
    else if (replica.version !== ticket.version || replica.priceCents !== ticket.priceCents) {
      problems.push(`orders has ticket ${ticket.id} at version ${replica.version}/${replica.priceCents}¢, tickets at ${ticket.version}/${ticket.priceCents}¢`);
    }
  }
  return problems;
}

/** What the services recorded matches what each client was told. */
function clientDisagreements(state: SystemState, purchases: readonly Purchase[]): string[] {
  const problems: string[] = [];
  const orderById = new Map(state.orders.map((order) => [order.id, order]));
  const ticketIds = new Set(state.tickets.map((ticket) => ticket.id));
  const chargesByOrder = new Map<string, EmulatorCharge[]>();
  for (const charge of state.charges) chargesByOrder.set(charge.metadata.orderId ?? '', [...(chargesByOrder.get(charge.metadata.orderId ?? '') ?? []), charge]);
  const expectedStatus: Partial<Record<Purchase['outcome'], string>> = {
    cancelled: 'cancelled',
    'left to expire': 'cancelled',
    'too late to pay': 'cancelled',
  };
  for (const purchase of purchases) {
    if (purchase.ticketId && !ticketIds.has(purchase.ticketId)) problems.push(`ticket ${purchase.ticketId} was listed (201) but is gone`);
    if (!purchase.orderId) continue;
    const order = orderById.get(purchase.orderId);
    const expected = expectedStatus[purchase.outcome];
    if (!order) problems.push(`order ${purchase.orderId} was placed (201) but is gone`);
    else if (expected && order.status !== expected) problems.push(`the client was told "${purchase.outcome}" for order ${order.id}, which is ${order.status}`);
    else if (purchase.outcome === 'authorized' && order.status === 'cancelled' && !(chargesByOrder.get(order.id) ?? []).every((charge) => charge.voided)) {
      problems.push(`the client was told "authorized" for order ${order.id}, which was cancelled without voiding the authorization`);
    }
  }
  return problems;
}

/** The payment figures the issue asks for: each must balance. */
export interface PaymentAccounting {
  completeOrders: number;
  captures: number;
  authorizationsOnCancelledOrders: number;
  voids: number;
  refunds: number;
}

export function paymentAccounting(state: SystemState): PaymentAccounting {
  const statusOf = new Map(state.orders.map((order) => [order.id, order.status]));
  const cancelledAuthorizations = state.charges.filter((charge) => statusOf.get(charge.metadata.orderId ?? '') === 'cancelled');
  return {
    completeOrders: state.orders.filter((order) => order.status === 'complete').length,
    captures: state.charges.filter((charge) => charge.captured).length,
    authorizationsOnCancelledOrders: cancelledAuthorizations.length,
    voids: state.charges.filter((charge) => charge.voided).length,
    refunds: state.charges.filter((charge) => charge.amountRefunded > 0 && !charge.voided).length,
  };
}
