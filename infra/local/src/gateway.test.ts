import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { defaultApiDocsFolder } from './api-edge';
import { startGateway, type RunningGateway } from './gateway';
import { loadRouteTable } from './routes';

/** What a fake upstream saw: which one it was and the request exactly as it arrived. */
interface Echo {
  upstream: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface FakeUpstream {
  url: string;
  close(): Promise<void>;
}

/** A tiny HTTP server on a free port that answers every request with what it received. */
async function startFakeUpstream(name: string): Promise<FakeUpstream> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const echo: Echo = { upstream: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      res.setHeader('set-cookie', `seen-by=${name}; Path=/; HttpOnly`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(echo));
    });
  });
  // Websocket-style upgrade: switch protocols, then echo whatever arrives.
  server.on('upgrade', (_req, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A URL where nothing listens: a port that was free a moment ago. */
async function deadUpstreamUrl(): Promise<string> {
  const upstream = await startFakeUpstream('dead');
  await upstream.close();
  return upstream.url;
}

const routes = loadRouteTable();
const silent = pino({ level: 'silent' });

async function setup(overrides: Record<string, string[]> = {}, table = routes) {
  const names = ['client', 'auth', 'tickets', 'orders', 'payments'];
  const upstreams = await Promise.all(names.map((name) => startFakeUpstream(name)));
  const urls: Record<string, string[]> = Object.fromEntries(names.map((name, i) => [name, [(upstreams[i] as FakeUpstream).url]]));
  const gateway: RunningGateway = await startGateway({ routes: table, upstreams: { ...urls, ...overrides }, logger: silent, port: 0, cooldownMs: 60_000 });
  const echoOf = async (path: string, init?: RequestInit): Promise<Echo> => (await fetch(`${gateway.url}${path}`, init)).json() as Promise<Echo>;
  return {
    gateway,
    echoOf,
    close: async () => {
      await gateway.close();
      await Promise.all(upstreams.map((upstream) => upstream.close()));
    },
  };
}

let ctx: Awaited<ReturnType<typeof setup>>;
afterEach(async () => ctx?.close());

describe('gateway routing', () => {
  beforeEach(async () => {
    ctx = await setup();
  });

  it.each([
    ['/api/users/currentuser', 'auth'],
    ['/api/users', 'auth'],
    ['/api/tickets', 'tickets'],
    ['/api/tickets/5b9c1a52-4e1f-4a37-9d55-0c2a4a0a8a11', 'tickets'],
    ['/api/orders/abc', 'orders'],
    ['/api/payments', 'payments'],
    ['/', 'client'],
    ['/tickets/new', 'client'],
    ['/_next/static/chunk.js', 'client'],
  ])('sends %s to %s with the path unchanged', async (path, upstream) => {
    const echo = await ctx.echoOf(`${path}?limit=5&offset=10`);
    expect(echo).toMatchObject({ upstream, url: `${path}?limit=5&offset=10` });
  });

  it.each(['/api/usersX', '/api/unknown', '/api'])('sends %s, which no service prefix claims, to auth (routes.yaml), which answers the JSON 404', async (path) => {
    expect(await ctx.echoOf(path)).toMatchObject({ upstream: 'auth' });
  });

  it.each(['/api/usersX', '/api/unknown', '/api/unknown/deeper?x=1', '/api'])('answers %s itself with a JSON 404 when its table has no /api catch-all', async (path) => {
    await ctx.close();
    ctx = await setup({}, { ...routes, routes: routes.routes.filter((route) => route.prefix !== '/api') });
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await fetch(`${ctx.gateway.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(await response.json()).toEqual({ errors: [{ message: 'Route not found' }] });
    }
  });

  it('serves the OpenAPI description at /api/docs and the AsyncAPI one beside it, from docs/', async () => {
    const openApi = await fetch(`${ctx.gateway.url}/api/docs`);
    expect(openApi.status).toBe(200);
    expect(openApi.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await openApi.json()).toEqual(JSON.parse(readFileSync(path.join(defaultApiDocsFolder, 'openapi.json'), 'utf8')));
    const asyncApi = await fetch(`${ctx.gateway.url}/api/docs/asyncapi.yaml`);
    expect(asyncApi.status).toBe(200);
    expect(await asyncApi.text()).toBe(readFileSync(path.join(defaultApiDocsFolder, 'asyncapi.yaml'), 'utf8'));
  });

  it('passes bodies through byte for byte, even ones a JSON parser would reject', async () => {
    const malformed = '{"title": "Concert", "price": 10,,}';
    const echo = await ctx.echoOf('/api/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: malformed });
    expect(echo).toMatchObject({ upstream: 'tickets', method: 'POST', body: malformed });
    expect(echo.headers['content-type']).toBe('application/json');
  });

  it('passes a large body through whole', async () => {
    const body = 'x'.repeat(2_000_000);
    const echo = await ctx.echoOf('/api/users/signup', { method: 'POST', body });
    expect(echo.body.length).toBe(body.length);
  });

  it('returns the upstream’s cookies and status', async () => {
    const response = await fetch(`${ctx.gateway.url}/api/users/signin`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBe('seen-by=auth; Path=/; HttpOnly');
  });
});

describe('forwarded headers', () => {
  beforeEach(async () => {
    ctx = await setup();
  });

  it('tells the upstream who asked, over what and for which host, like the ingress', async () => {
    const echo = await ctx.echoOf('/api/users/currentuser');
    const host = new URL(ctx.gateway.url).host;
    expect(echo.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': host, host });
  });

  it('replaces X-Forwarded-* a client sends, so nobody can fake https or their address', async () => {
    const echo = await ctx.echoOf('/api/users/currentuser', {
      headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', forwarded: 'for=6.6.6.6;proto=https' },
    });
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-proto']).toBe('http');
    expect(echo.headers['x-forwarded-host']).toBe(new URL(ctx.gateway.url).host);
    expect(echo.headers.forwarded).toBeUndefined();
  });

  it('gives every request an X-Request-Id and keeps a well-formed one', async () => {
    expect((await ctx.echoOf('/api/tickets')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await ctx.echoOf('/api/tickets', { headers: { 'x-request-id': 'trace-42' } })).headers['x-request-id']).toBe('trace-42');
    expect((await ctx.echoOf('/api/tickets', { headers: { 'x-request-id': 'bad id <script>' } })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('forwarded headers from unusual clients', () => {
  beforeEach(async () => {
    ctx = await setup();
  });

  /** Sends `head` as written on a fresh connection and returns the upstream's echo. */
  const rawEcho = (head: string) => new Promise<Echo>((resolve, reject) => {
    const { hostname, port } = new URL(ctx.gateway.url);
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('end', () => resolve(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Echo));
    socket.on('error', reject);
  });

  it('gives the upstream a Host when an HTTP/1.0 client sent none', async () => {
    const echo = await rawEcho('GET /api/tickets HTTP/1.0\r\n\r\n');
    expect(echo.url).toBe('/api/tickets');
    expect(echo.headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(echo.headers['x-forwarded-host']).toBeUndefined();
  });

  it('replaces two X-Request-Ids with one of its own', async () => {
    const echo = await rawEcho('GET /api/tickets HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\r\nx-request-id: b\r\nConnection: close\r\n\r\n');
    expect(echo.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes a GET body and a chunked body through', async () => {
    const echo = await rawEcho('GET /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(echo.body).toBe('hello');
    const chunked = await rawEcho('POST /api/tickets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    expect(chunked.body).toBe('abcde');
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
  });
});

describe('hop-by-hop headers', () => {
  beforeEach(async () => {
    ctx = await setup();
  });

  it('passes on neither the client’s connection headers nor those its Connection header names', async () => {
    const { hostname, port } = new URL(ctx.gateway.url);
    const echo = await new Promise<Echo>((resolve, reject) => {
      const req = request({ hostname, port, path: '/api/tickets', headers: { connection: 'keep-alive, x-hop', 'x-hop': 'secret', 'keep-alive': 'timeout=99', 'x-end': 'kept' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text) as Echo));
      });
      req.on('error', reject);
      req.end();
    });
    expect(echo.headers['x-end']).toBe('kept');
    expect(echo.headers['x-hop']).toBeUndefined();
    expect(echo.headers['keep-alive']).toBeUndefined();
    expect(echo.headers.connection).toBe('keep-alive'); // the gateway's own, to keep its upstream connection
  });

  it('answers HEAD /api/docs with the headers of GET and no body', async () => {
    const response = await fetch(`${ctx.gateway.url}/api/docs`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(readFileSync(path.join(defaultApiDocsFolder, 'openapi.json')).length);
    expect(await response.text()).toBe('');
  });
});

describe('a client that goes away', () => {
  it('aborts the request to the upstream instead of leaving it to run, and logs no upstream failure', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    let arrived!: () => void;
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const slow = createServer((req) => {
      arrived();
      req.socket.on('close', upstreamClosed); // never answers
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const upstreams = Object.fromEntries(Object.keys(routes.services).map((name) => [name, [`http://127.0.0.1:${(slow.address() as AddressInfo).port}`]]));
    const logged: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
    const gateway = await startGateway({ routes, upstreams, logger, port: 0 });
    try {
      const abort = new AbortController();
      const answer = fetch(`${gateway.url}/api/tickets`, { signal: abort.signal }).catch(() => 'aborted');
      await received;
      abort.abort();
      expect(await answer).toBe('aborted');
      await closed; // the test times out if the gateway keeps waiting for the answer
      // A client leaving is not an upstream failure (the request's error event comes a tick after the close).
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(logged).toEqual([]);
    } finally {
      slow.closeAllConnections();
      await gateway.close();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

describe('replicas and failures', () => {
  it('spreads requests over replicas round-robin', async () => {
    const second = await startFakeUpstream('orders#2');
    const first = await startFakeUpstream('orders#1');
    ctx = await setup({ orders: [first.url, second.url] });
    try {
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push((await ctx.echoOf('/api/orders')).upstream);
      expect(seen).toEqual(['orders#1', 'orders#2', 'orders#1', 'orders#2']);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('answers 502 in the SPEC error shape when an API service is down', async () => {
    ctx = await setup({ payments: [await deadUpstreamUrl()] });
    const response = await fetch(`${ctx.gateway.url}/api/payments`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ errors: [{ message: 'The payments service is unavailable, try again shortly' }] });
  });

  it('answers 502 in plain text when the web client is down', async () => {
    ctx = await setup({ client: [await deadUpstreamUrl()] });
    const response = await fetch(`${ctx.gateway.url}/tickets`);
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/client service is unavailable/);
  });

  it('stops sending to a replica that refused a connection', async () => {
    const alive = await startFakeUpstream('orders#alive');
    ctx = await setup({ orders: [await deadUpstreamUrl(), alive.url] });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${ctx.gateway.url}/api/orders`)).status);
      expect(statuses).toEqual([502, 200, 200, 200, 200]);
    } finally {
      await alive.close();
    }
  });

  it('answers 504 when an upstream does not answer in time', async () => {
    const silentServer = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    const upstreams = Object.fromEntries(Object.keys(routes.services).map((name) => [name, [`http://127.0.0.1:${(silentServer.address() as AddressInfo).port}`]]));
    const gateway = await startGateway({ routes, upstreams, logger: silent, port: 0, proxyTimeoutMs: 200 });
    try {
      const response = await fetch(`${gateway.url}/api/tickets`);
      expect(response.status).toBe(504);
      expect(await response.json()).toEqual({ errors: [{ message: 'The tickets service did not answer in time' }] });
    } finally {
      silentServer.closeAllConnections();
      await gateway.close();
      await new Promise((resolve) => silentServer.close(resolve));
    }
  });

  it('refuses to start without an address for every service in the table', async () => {
    await expect(startGateway({ routes, upstreams: { auth: ['http://127.0.0.1:1'] }, logger: silent, port: 0 })).rejects.toThrow(/no upstream address for service "client"/);
  });
});

describe('websockets', () => {
  beforeEach(async () => {
    ctx = await setup();
  });

  it('proxies an upgrade to the client (Next dev reloads)', async () => {
    const { hostname, port } = new URL(ctx.gateway.url);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = request({ hostname, port, path: '/_next/webpack-hmr', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', (_res, upgraded: Socket) => resolve(upgraded));
      req.on('error', reject);
      req.end();
    });
    try {
      const echoed = new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString())));
      socket.write('ping');
      expect(await echoed).toBe('ping');
    } finally {
      socket.destroy();
    }
  });
});
