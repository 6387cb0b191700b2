/**
 * Bad input never hurts MicroTick. A property-based fuzzer sends every route of SPEC §3, through
 * the gateway, malformed and hostile requests: broken JSON, wrong types, bodies up to 200 kB,
 * unicode, NaN/Infinity/negative prices as numbers and as strings, SQL/HTML/path-traversal
 * strings, real, unknown and malformed ids, counterfeit sessions, missing or wrong content types.
 * Every answer must be below 500; every 4xx must have the SPEC's error shape and leave the
 * marketplace's state (every service's state tables, Stripe's charges) exactly as it was; and
 * every service must still be ready at the end.
 *
 * Fixed seed (FUZZ_SEED to change it, FUZZ_RUNS for more runs per route); fast-check prints the
 * seed and the shrunk request of any failure.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';

import { ApiClient } from './support/api-client';
import { errorShapeProblem } from './support/error-shape';
import { describedBodyMembers, describedQueryParameters, describedRoutes, routeCoverage } from './support/described-routes';
import { describeRequest, field, fuzzBody, hostileString, hostileValue, pathId, percentEncoded, printable, type FuzzBody } from './support/fuzz-inputs';
import { joinAsMember, openMarketplace, type Marketplace, type Member } from './support/marketplace';
import { sendRaw, type RawRequest } from './support/raw-http';
import { counterfeitCookies } from './support/session-cookies';
import { BusProbe, unreadyServices, eventFlow, settled } from './support/settle';
import { changedTables, StackDatabases } from './support/stack-databases';
import { emulatorCharges } from './support/stripe-charges';
import { type TestStack, useTestStack } from './support/test-stack';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 200);
const JWT_KEY = randomBytes(32).toString('hex');
const SIGNIN_PASSWORD = 'a fuzzing password';
const SETTLE_MS = 15_000;

let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;
let members: Pick<Marketplace, 'seller' | 'buyer' | 'stranger'>;
let signinEmail: string;

// Every request comes from 127.0.0.1 as a few users: startTestStack raises the per-IP and
// per-user limits (RAISED_ABUSE_LIMITS), or most fuzzed requests would get a 429 before validation.
useTestStack({ jwtKey: JWT_KEY }, (running) => ({ stack, databases, bus } = running));

beforeAll(async () => {
  const [seller, buyer, stranger] = await Promise.all([0, 1, 2].map(() => joinAsMember(stack.url, JWT_KEY))) as [Member, Member, Member];
  members = { seller, buyer, stranger };
  signinEmail = `signin-${randomUUID().slice(0, 8)}@example.com`;
  const signedUp = await new ApiClient(stack.url).post('/api/users/signup', { email: signinEmail, password: SIGNIN_PASSWORD });
  if (signedUp.status !== 201) throw new Error(`sign-up failed with ${signedUp.status}`);
}, 60_000);

/** Sessions: mostly `owner`'s real one (so bodies reach validation), else another user's, none, or a counterfeit of owner's. */
const sessionFor = (market: Marketplace, owner: Member): fc.Arbitrary<string | undefined> => {
  const others = [market.seller, market.buyer, market.stranger].filter((member) => member !== owner);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(owner.cookie) },
    { weight: 2, arbitrary: fc.constantFrom(...others.map((member) => member.cookie)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...Object.values(counterfeitCookies(owner.user, market.stranger.user, JWT_KEY))) },
  );
};

const request = (method: string, path: string, cookie: string | undefined, body?: FuzzBody): RawRequest =>
  printable({ method, path, headers: { ...body?.headers, ...(cookie === undefined ? {} : { cookie }) }, body: body?.body });

const withBody = (method: string, path: fc.Arbitrary<string>, fields: fc.Arbitrary<Record<string, unknown>>, cookie: fc.Arbitrary<string | undefined>) =>
  fc.tuple(path, fuzzBody(fields), cookie).map(([p, body, c]) => request(method, p, c, body));

const withoutBody = (method: string, path: fc.Arbitrary<string>, cookie: fc.Arbitrary<string | undefined>) =>
  fc.tuple(path, cookie).map(([p, c]) => request(method, p, c));

const optionalMembers = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) => fc.record(fields, { requiredKeys: [] });

/**
 * Bodies for `route` with every member docs/openapi.json describes, each now and then valid
 * (from `valid`) and mostly hostile; a member added to the schema is fuzzed without a change
 * here. A valid-value entry for a member the description does not name is a stale table.
 */
const describedBody = (route: string, valid: Record<string, fc.Arbitrary<unknown>>) => {
  const members = describedBodyMembers(route);
  const stale = Object.keys(valid).filter((name) => !members.includes(name));
  if (stale.length) throw new Error(`${route}: docs/openapi.json has no body member ${stale.join(', ')}`);
  return optionalMembers(Object.fromEntries(members.map((name) => [name, field(valid[name] ?? hostileValue)])));
};

const validTitle = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
/** From the minimum charge (0.50) up; as a JSON number or, as HTML forms send it, a decimal string. */
const validPrice = fc.oneof(
  fc.integer({ min: 50, max: 100_000_00 }).map((cents) => cents / 100),
  fc.integer({ min: 50, max: 100_000_00 }).map((cents) => (cents / 100).toFixed(2)),
);
const validEmail = fc.emailAddress();
const validPassword = fc.string({ minLength: 8, maxLength: 128 });

const queryValue = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('', '1.5', '1e2', '0x10', 'NaN', 'Infinity', '-0', '9'.repeat(30), '%20', '%00', "1'--", '1;DROP%20TABLE%20tickets'),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(percentEncoded),
);
/** The described parameters, the same in qs's array and object syntax, and one nobody knows. */
const queryNames = (route: string) => describedQueryParameters(route).flatMap((name) => [name, `${name}[]`, `${name}[x]`, `${name}[0]`]).concat('other');
/**
 * Hostile text short enough for a URL: past about 16 kB of request line Node's HTTP parser
 * answers 431 itself, before any route (or the error shape) is reached.
 */
const hostileQueryText = hostileString.map((text) => text.slice(0, 200));
/** Cursors as the API makes them (base64url JSON) with wrong or hostile contents, and plain junk. */
const cursorValue = fc.oneof(
  fc.constantFrom('', 'abc', '%3Cscript%3E', 'eyJ', '....'),
  fc
    .record({ s: fc.constantFrom('newest', 'price_asc', 'price_desc', 'other', 1), k: fc.oneof(fc.integer(), fc.double(), fc.constant('x'), fc.constant(9e15)), i: fc.oneof(fc.uuid(), hostileQueryText) }, { requiredKeys: [] })
    .map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')),
);
/** Values for any listing parameter: numbers, sorts, prices, LIKE wildcards, accents, hostile text, cursors. */
const listingValue = fc.oneof(
  queryValue,
  fc.constantFrom('newest', 'price_asc', 'price_desc', '19.99', '0.001', '1000000.01', '%25', '_', '%5C', 'caf%C3%A9', '%E2%80%AE'),
  hostileQueryText.map(percentEncoded),
  cursorValue,
);
/** A query string for a described listing route (`GET /api/tickets`, `GET /api/tickets/mine`). */
const listingQuery = (route: string) =>
  fc
    .array(fc.tuple(fc.constantFrom(...queryNames(route)), listingValue), { maxLength: 5 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&')}` : ''));

/** A genuine ticket code for the paid order, as its buyer gets it (fetched once per marketplace). */
async function ticketCodeOf(m: Marketplace): Promise<string> {
  const res = await m.buyer.client.get<{ code: string }>(`/api/orders/${m.paidOrder.id}/ticket`);
  if (res.status !== 200) throw new Error(`the fixture ticket code answered ${res.status}`);
  return res.body.code;
}
const ticketCodes = (code: string) =>
  fc.oneof(
    fc.constant(code),
    fc.constant(`${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`),
    fc.constant(code.slice(0, 40)),
    fc.constant(` ${code}\n`),
    fc.constant(code.replace('MT1.', 'MT2.')),
  );

const UNKNOWN_ROUTES = 'unknown routes and methods';

/** Each route docs/openapi.json describes (and some that do not exist) as a generator of bad requests for it. */
const ROUTES: Record<string, (market: Marketplace) => fc.Arbitrary<RawRequest> | Promise<fc.Arbitrary<RawRequest>>> = {
  'POST /api/users/signup': (m) =>
    withBody('POST', fc.constant('/api/users/signup'), describedBody('POST /api/users/signup', { email: validEmail, password: validPassword }), sessionFor(m, m.stranger)),
  'POST /api/users/signin': (m) =>
    withBody(
      'POST',
      fc.constant('/api/users/signin'),
      describedBody('POST /api/users/signin', { email: fc.constantFrom(signinEmail, signinEmail.toUpperCase(), ` ${signinEmail} `), password: fc.constant(SIGNIN_PASSWORD) }),
      sessionFor(m, m.stranger),
    ),
  'POST /api/users/signout': (m) => withBody('POST', fc.constant('/api/users/signout'), optionalMembers({ anything: field(hostileString) }), sessionFor(m, m.buyer)),
  'GET /api/users/currentuser': (m) => withoutBody('GET', fc.constant('/api/users/currentuser'), sessionFor(m, m.buyer)),
  'POST /api/tickets': (m) =>
    withBody('POST', fc.constant('/api/tickets'), describedBody('POST /api/tickets', { title: validTitle, price: validPrice }), sessionFor(m, m.seller)),
  'GET /api/tickets': (m) => withoutBody('GET', listingQuery('GET /api/tickets').map((query) => `/api/tickets${query}`), sessionFor(m, m.buyer)),
  'GET /api/tickets/:id': (m) => withoutBody('GET', ticketIds(m).map((id) => `/api/tickets/${id}`), sessionFor(m, m.buyer)),
  'PUT /api/tickets/:id': (m) =>
    withBody('PUT', ticketIds(m).map((id) => `/api/tickets/${id}`), describedBody('PUT /api/tickets/:id', { title: validTitle, price: validPrice }), sessionFor(m, m.seller)),
  'GET /api/tickets/mine': (m) => withoutBody('GET', listingQuery('GET /api/tickets/mine').map((query) => `/api/tickets/mine${query}`), sessionFor(m, m.seller)),
  'GET /api/tickets/mine/summary': (m) => withoutBody('GET', fc.constant('/api/tickets/mine/summary'), sessionFor(m, m.seller)),
  'POST /api/tickets/:id/checkins': async (m) =>
    withBody(
      'POST',
      ticketIds(m).map((id) => `/api/tickets/${id}/checkins`),
      describedBody('POST /api/tickets/:id/checkins', { code: ticketCodes(await ticketCodeOf(m)) }),
      sessionFor(m, m.seller),
    ),
  'POST /api/orders': (m) =>
    withBody('POST', fc.constant('/api/orders'), describedBody('POST /api/orders', { ticketId: fc.constantFrom(...ticketIdList(m)) }), sessionFor(m, m.buyer)),
  'GET /api/orders': (m) => withoutBody('GET', fc.constant('/api/orders'), sessionFor(m, m.buyer)),
  'GET /api/orders/:id': (m) => withoutBody('GET', orderIds(m).map((id) => `/api/orders/${id}`), sessionFor(m, m.buyer)),
  'GET /api/orders/:id/ticket': (m) => withoutBody('GET', orderIds(m).map((id) => `/api/orders/${id}/ticket`), sessionFor(m, m.buyer)),
  'DELETE /api/orders/:id': (m) => withoutBody('DELETE', orderIds(m).map((id) => `/api/orders/${id}`), sessionFor(m, m.buyer)),
  'POST /api/payments': (m) =>
    withBody(
      'POST',
      fc.constant('/api/payments'),
      describedBody('POST /api/payments', {
        orderId: fc.constantFrom(m.openOrder.id, m.paidOrder.id, m.cancelledOrder.id),
        token: fc.constantFrom('tok_visa', 'pm_card_visa', 'tok_chargeDeclined', 'tok_chargeDeclinedInsufficientFunds', 'tok_unknown', 'pm_unknown'),
      }),
      sessionFor(m, m.buyer),
    ),
  // The waiting list (SPEC §6). Its event stream stays open for a real session, so only
  // requests without one are fuzzed there (each must be a 401 in the error shape).
  'POST /api/orders/waitlist': (m) =>
    withBody('POST', fc.constant('/api/orders/waitlist'), describedBody('POST /api/orders/waitlist', { ticketId: fc.constantFrom(...ticketIdList(m)) }), sessionFor(m, m.stranger)),
  'GET /api/orders/waitlist': (m) => withoutBody('GET', fc.constant('/api/orders/waitlist'), sessionFor(m, m.stranger)),
  'DELETE /api/orders/waitlist/:ticketId': (m) => withoutBody('DELETE', ticketIds(m).map((id) => `/api/orders/waitlist/${id}`), sessionFor(m, m.stranger)),
  'GET /api/orders/waitlist/events': (m) =>
    withoutBody(
      'GET',
      fc.constant('/api/orders/waitlist/events'),
      fc.oneof(fc.constant(undefined), fc.constantFrom(...Object.values(counterfeitCookies(m.stranger.user, m.buyer.user, JWT_KEY)))),
    ),
  // Only orders that have ended: the stream of an open order stays open (by design) until it ends.
  'GET /api/orders/:id/events': (m) => withoutBody('GET', pathId([m.paidOrder.id, m.cancelledOrder.id]).map((id) => `/api/orders/${id}/events`), sessionFor(m, m.buyer)),
  'GET /api/payments': (m) =>
    withoutBody(
      'GET',
      fc
        .array(fc.tuple(fc.constantFrom(...queryNames('GET /api/payments')), fc.oneof(pathId(orderIdList(m)), queryValue)), { maxLength: 3 })
        .map((pairs) => `/api/payments${pairs.length ? `?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&')}` : ''}`),
      sessionFor(m, m.buyer),
    ),
  // Stripe's signature, not a session, admits a webhook: every fuzzed one is refused unchanged.
  'POST /api/payments/webhook': (m) =>
    fc
      .tuple(
        fuzzBody(optionalMembers({ id: field(fc.constantFrom('evt_1', 'evt_fuzz')), type: field(fc.constantFrom('payment_intent.canceled', 'payment_intent.amount_capturable_updated')), data: field(fc.constant({ object: { id: 'pi_x' } })) })),
        fc.option(fc.constantFrom('t=1,v1=00', 't=,v1=', 'v1=abc', `t=${Math.floor(Date.now() / 1000)},v1=${'a'.repeat(64)}`, 'garbage'), { nil: undefined }),
        sessionFor(m, m.buyer),
      )
      .map(([body, signature, cookie]) => request('POST', '/api/payments/webhook', cookie, { ...body, headers: { ...body.headers, ...(signature === undefined ? {} : { 'stripe-signature': signature }) } })),
  [UNKNOWN_ROUTES]: (m) =>
    fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        // The last two no service claims: the gateway itself answers them (a JSON 404, not the client's page).
        fc.constantFrom('/api/users', '/api/tickets', '/api/orders', '/api/payments', '/api/unknown', '/api'),
        fc.oneof(fc.constant(''), pathId(ticketIdList(m)).map((id) => `/${id}`), pathId(orderIdList(m)).map((id) => `/${id}/${id}`)),
        fuzzBody(optionalMembers({ title: field(validTitle), ticketId: field(fc.uuid()) })),
        sessionFor(m, m.buyer),
      )
      .map(([method, prefix, rest, body, cookie]) => request(method, `${prefix}${rest}`, cookie, body)),
};

const ticketIdList = (m: Marketplace) => [m.freeTicket.id, m.reservedTicket.id, m.soldTicket.id, m.releasedTicket.id];
const orderIdList = (m: Marketplace) => [m.openOrder.id, m.paidOrder.id, m.cancelledOrder.id];
const ticketIds = (m: Marketplace) => pathId(ticketIdList(m));
const orderIds = (m: Marketplace) => pathId(orderIdList(m));

/** Sends one request and says everything that is wrong with what happened. */
async function checkRequest(fuzzed: RawRequest): Promise<void> {
  const before = await databases.stateDigest();
  const charges = (await emulatorCharges(stack)).length;
  const response = await sendRaw(stack.url, fuzzed);
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`answered ${response.status}: ${response.text.slice(0, 300)}`);
  if (response.headers['x-content-type-options'] !== 'nosniff' || !response.headers['content-security-policy']) {
    problems.push(`answered ${response.status} without the security headers`);
  }
  if (response.status >= 400) {
    // SPEC §6: a repeated check-in's 409 also says when the ticket was first checked in.
    const alongside = response.status === 409 && /\/checkins$/.test(fuzzed.path) ? ['checkedInAt'] : [];
    const shape = errorShapeProblem(response.contentType, response.text, alongside);
    if (shape) problems.push(`answered ${response.status} without the error shape (${shape}): ${JSON.stringify(response.text.slice(0, 300))}`);
    const changed = changedTables(before, await databases.stateDigest());
    if (changed.length) problems.push(`rejected with ${response.status} yet changed ${changed.join(', ')}`);
    if ((await emulatorCharges(stack)).length !== charges) problems.push(`rejected with ${response.status} yet Stripe charged a card`);
  } else {
    // Whatever an accepted request set in motion finishes before the next one is judged.
    await settled(eventFlow(databases, bus), SETTLE_MS);
  }
  if (problems.length) throw new Error(problems.join('\n'));
}

describe('every route, fuzzed through the gateway', () => {
  it('has a generator for every route docs/openapi.json describes (and none for a route it does not)', () => {
    expect(routeCoverage(Object.keys(ROUTES).filter((route) => route !== UNKNOWN_ROUTES))).toEqual({ missing: [], notDescribed: [] });
  });

  it.each([...describedRoutes(), UNKNOWN_ROUTES])('%s: never a 5xx, always the error shape, rejected means unchanged', async (route) => {
    const generate = ROUTES[route];
    if (!generate) throw new Error(`no generator for ${route} in ROUTES: describe its inputs`);
    const market = await openMarketplace(members);
    await settled(eventFlow(databases, bus), SETTLE_MS);
    await fc.assert(fc.asyncProperty(await generate(market), checkRequest), {
      seed: SEED,
      numRuns: RUNS_PER_ROUTE,
      // Shrinking replays requests against a live stack: bound it rather than the test.
      interruptAfterTimeLimit: 60_000,
    });
  }, 120_000);

  it('leaves every service ready', async () => {
    expect(await unreadyServices(stack)).toEqual([]);
  });
});

/**
 * A ticket's price as text (what an HTML input gives): accepted, and answered as a number,
 * exactly when it is plain decimal notation with at most 2 decimals and at least 0.50; anything
 * else is a 400 naming the price that changes nothing.
 */
describe('prices as decimal strings', () => {
  const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;
  const nearMisses = fc.constantFrom('abc', '1e3', ' 5', '5 ', '5.', '.5', '1.234', '-1', '+1', '05', '5,00', '0x10', '', 'Infinity', 'NaN', '0.49', '0.00', '0', '1_000', '٥', '5\u0000', '1000000.01');
  const decimalText = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.constantFrom('', '.5', '.05', '.50', '.99', '.1')).map(([units, decimals]) => `${units}${decimals}`),
    nearMisses,
    fc.string({ maxLength: 12 }),
  );
  let market: Marketplace;
  beforeAll(async () => {
    market = await openMarketplace(members);
  }, 60_000);

  it('accepts exactly the plain decimals from 0.50 to 1,000,000', async () => {
    await fc.assert(
      fc.asyncProperty(decimalText, fc.constantFrom('POST', 'PUT'), async (text, method) => {
        await settled(eventFlow(databases, bus), SETTLE_MS);
        const before = await databases.stateDigest();
        const path = method === 'POST' ? '/api/tickets' : `/api/tickets/${market.freeTicket.id}`;
        const response = await sendRaw(stack.url, {
          method,
          path,
          headers: { 'content-type': 'application/json', cookie: market.seller.cookie },
          body: JSON.stringify({ title: 'Priced as text', price: text }),
        });
        const valid = DECIMAL.test(text) && Number(text) >= 0.5 && Number(text) <= 1_000_000;
        if (valid) {
          expect({ text, status: response.status, price: (JSON.parse(response.text) as { price: unknown }).price }).toEqual({ text, status: method === 'POST' ? 201 : 200, price: Number(text) });
        } else {
          expect({ text, status: response.status, field: (JSON.parse(response.text) as { errors: { field?: string }[] }).errors[0]?.field }).toEqual({ text, status: 400, field: 'price' });
          expect(changedTables(before, await databases.stateDigest())).toEqual([]);
        }
      }),
      { seed: SEED, numRuns: Math.min(RUNS_PER_ROUTE, 150), interruptAfterTimeLimit: 60_000 },
    );
  }, 120_000);
});

/** What the fuzzer found, pinned as plain examples so each has a name and a test of its own. */
describe('inputs the fuzzer found', () => {
  let market: Marketplace;
  beforeAll(async () => {
    market = await openMarketplace(members);
  }, 60_000);

  const expectRejected = async (sent: RawRequest, statuses: number[]) => {
    await settled(eventFlow(databases, bus), SETTLE_MS);
    const before = await databases.stateDigest();
    const response = await sendRaw(stack.url, sent);
    const outcome = {
      request: describeRequest(sent),
      status: response.status,
      shapeProblem: errorShapeProblem(response.contentType, response.text),
      changedTables: changedTables(before, await databases.stateDigest()),
    };
    const acceptable = statuses.includes(response.status) ? response.status : `one of ${statuses.join(', ')}`;
    expect(outcome).toEqual({ ...outcome, status: acceptable, shapeProblem: undefined, changedTables: [] });
  };

  it('answers a body that is not in its declared Content-Encoding with 400', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const headers = { 'content-type': 'application/json', 'content-encoding': encoding, cookie: market.seller.cookie };
      await expectRejected({ method: 'POST', path: '/api/tickets', headers, body: '{"title":"x","price":5}' }, [400]);
    }
  });

  it('answers an id with a broken percent-encoding like any malformed id', async () => {
    await expectRejected({ method: 'GET', path: '/api/tickets/%E0%A4%A' }, [400, 404]);
    await expectRejected({ method: 'DELETE', path: '/api/orders/%ff', headers: { cookie: market.buyer.cookie } }, [400, 404]);
  });

  it('refuses a positive price below one cent instead of storing 0 cents', async () => {
    for (const price of ['1e-9', '5e-324', '0.000001']) {
      const headers = { 'content-type': 'application/json', cookie: market.seller.cookie };
      await expectRejected({ method: 'POST', path: '/api/tickets', headers, body: `{"title":"tiny","price":${price}}` }, [400]);
      await expectRejected({ method: 'PUT', path: `/api/tickets/${market.freeTicket.id}`, headers, body: `{"title":"tiny","price":${price}}` }, [400]);
    }
  });

  it("passes on a service's early answer to a large body it did not read, instead of a 502", async () => {
    // No content type: the service never reads the body and answers 400 before it has all arrived.
    const body = JSON.stringify({ ticketId: 'x'.repeat(160_000) });
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) {
      statuses.add((await sendRaw(stack.url, { method: 'POST', path: '/api/orders', headers: { cookie: market.buyer.cookie }, body })).status);
    }
    expect([...statuses]).toEqual([400]);
  });
});
