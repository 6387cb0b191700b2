/**
 * One purchase is one trace: a stack whose services export spans over OTLP to a receiver in
 * this test, an order left to lapse (3-second window), and then the trace of its
 * POST /api/orders must hold every hop — orders' route and outbox, the relays, the listeners in
 * tickets, payments and expiration, expiration's timer in Redis, orders' cancellation and the
 * listeners of that — as one connected tree.
 */
import { readFileSync } from 'node:fs';
import { startOtlpReceiver, waitFor, type OtlpReceiver, type ReceivedSpan } from '@microtick/common/testing';
import { signUp } from './support/api-client';
import { retrying } from './support/settle';
import { createTicket, orderWhenReplicated, waitForOrder } from './support/flows';
import { startTestStack, type TestStack } from './support/test-stack';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

let receiver: OtlpReceiver;
let stack: TestStack;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startTestStack({
    expirationWindowSeconds: 3,
    // Export every 200 ms instead of 5 s, so the test waits for spans less.
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
}, 60_000);

/** `service: span name` for every span of the trace, for readable failures. */
const describeSpans = (spans: ReceivedSpan[]) => spans.map((s) => `${s.service}: ${s.name}`).sort();

/** The trace as an indented tree, for reading (TRACE_DUMP=1). */
function describeTree(spans: ReceivedSpan[], root: ReceivedSpan): string {
  const lines: string[] = [];
  const visit = (span: ReceivedSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${span.service}: ${span.name}`);
    for (const child of spans.filter((s) => s.parentSpanId === span.spanId)) visit(child, depth + 1);
  };
  visit(root, 0);
  return lines.join('\n');
}

it('follows one order from POST /api/orders through every relay, listener and the expiration timer as one trace', async () => {
  const seller = await signUp(stack.url);
  const buyer = await signUp(stack.url);
  const ticket = await createTicket(seller, 'Traced quartet', 20);
  const ordered = await orderWhenReplicated(buyer, ticket.id);
  expect(ordered.status).toBe(201);
  await waitForOrder(buyer, ordered.body.id, (o) => o.status === 'cancelled', 'the order to lapse', 20_000);

  // The order's POST is the trace's root (the gateway is not traced); earlier 404 attempts, if
  // orders had not replicated the ticket yet, are traces of their own.
  const root = await waitFor(
    () => receiver.spans.find((s) => s.service === 'orders' && s.kind === SERVER && s.attributes['http.route'] === '/api/orders' && s.attributes['http.response.status_code'] === 201),
    { what: 'the POST /api/orders server span', timeoutMs: 10_000 },
  );
  expect(root.parentSpanId).toBeUndefined();
  const traceOf = () => receiver.spans.filter((s) => s.traceId === root.traceId);
  const has = (service: string, name: string) => traceOf().some((s) => s.service === service && s.name === name);

  // Every hop of the lapse, in the services that make it.
  const hops: [string, string][] = [
    ['orders', 'publish order:created'],
    ['tickets', 'process order:created'],
    ['tickets', 'publish ticket:updated'],
    ['orders', 'process ticket:updated'],
    ['payments', 'process order:created'],
    ['expiration', 'process order:created'],
    ['expiration', 'publish expiration:complete'],
    ['orders', 'process expiration:complete'],
    ['orders', 'publish order:cancelled'],
    ['tickets', 'process order:cancelled'],
    ['payments', 'process order:cancelled'],
    ['expiration', 'process order:cancelled'],
  ];
  await waitFor(() => hops.every(([service, name]) => has(service, name)) || undefined, { what: 'every hop in the trace', timeoutMs: 15_000 }).catch((err: Error) => {
    const missing = hops.filter(([service, name]) => !has(service, name)).map(([service, name]) => `${service}: ${name}`);
    throw new Error(`${err.message}; missing ${JSON.stringify(missing)}; received ${JSON.stringify(describeSpans(traceOf()))}`);
  });
  // The last spans of a hop may be a batch behind its first: the trace is whole once it is one
  // tree (no span whose parent has not arrived), asserted again until it is, not after a pause.
  const spans = await retrying(
    () => {
      const spans = traceOf();
      const ids = new Set(spans.map((s) => s.spanId));
      expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['orders', 'tickets', 'payments', 'expiration']));
      // One tree: every span but the root hangs from a span of the same trace.
      expect(spans.filter((s) => s.parentSpanId === undefined)).toEqual([root]);
      expect(spans.filter((s) => s.parentSpanId !== undefined && !ids.has(s.parentSpanId)).map((s) => `${s.service}: ${s.name}`)).toEqual([]);
      return spans;
    },
    { timeoutMs: 10_000 },
  );
  const byId = new Map(spans.map((s) => [s.spanId, s]));

  // A consumer's parent is the publish of that event (the NATS headers), whose parent is the
  // span that staged it: the route or listener that wrote the outbox row (the envelope), or,
  // for expiration:complete, the order:created listener that armed the timer (the BullMQ job).
  for (const consumer of spans.filter((s) => s.kind === CONSUMER)) {
    const producer = byId.get(consumer.parentSpanId ?? '');
    expect({ consumer: consumer.name, parent: producer?.name, kind: producer?.kind }).toEqual({
      consumer: consumer.name,
      parent: consumer.name.replace('process', 'publish'),
      kind: PRODUCER,
    });
    expect(producer?.attributes['messaging.message.id']).toBe(consumer.attributes['messaging.message.id']);
  }
  const ancestorOf = (span: ReceivedSpan, name: string): boolean => {
    for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) {
      if (at.name === name) return at.service === span.service;
      if (at.kind === CONSUMER || at.kind === SERVER) return false;
    }
    return false;
  };
  for (const publish of spans.filter((s) => s.kind === PRODUCER)) {
    const stagedBy = publish.name === 'publish expiration:complete' ? 'process order:created' : undefined;
    const parent = byId.get(publish.parentSpanId ?? '');
    expect({ publish: `${publish.service}: ${publish.name}`, stagedIn: parent?.service }).toEqual({ publish: `${publish.service}: ${publish.name}`, stagedIn: publish.service });
    if (stagedBy) expect(ancestorOf(publish, stagedBy)).toBe(true);
  }
  const firstPublish = spans.find((s) => s.service === 'orders' && s.name === 'publish order:created');
  expect(firstPublish && ancestorOf(firstPublish, root.name)).toBe(true);
  if (process.env.TRACE_DUMP) console.log(describeTree(spans, root));

  // Postgres queries appear under the route and the listeners of every Postgres service.
  for (const service of ['orders', 'tickets', 'payments']) {
    expect(spans.some((s) => s.service === service && s.attributes['db.system.name'] === 'postgresql' || s.service === service && s.attributes['db.system'] === 'postgresql')).toBe(true);
  }

  // Log lines carry the trace id: orders' request log of the POST (as the stack prints it).
  const logLines = readFileSync(stack.logFile, 'utf8').split('\n').filter((line) => line.includes(`"trace_id":"${root.traceId}"`));
  expect(logLines.some((line) => /^orders\b.*POST \/api\/orders → 201/.test(line))).toBe(true);
}, 90_000);
