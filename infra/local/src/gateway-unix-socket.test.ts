/**
 * The local runner's gateway → service hop over a unix socket (the services' HTTP_SOCKET):
 * the real gateway in front of a real service app (common's createServiceApp, its `trust proxy`
 * and a per-address rate limiter), clients on different loopback addresses.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServiceApp, perMinuteLimiter } from '@microtick/common';
import { closeServer, listenOnSocket } from '@microtick/common/http/listen';
import { testAppDeps } from '@microtick/common/testing';
import pino from 'pino';
import { startGateway, type RunningGateway } from './gateway';
import { loadRouteTable } from './routes';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from `localAddress` (any 127.x address is the local host on Linux), with a fresh connection unless `agent` is given. */
const send = (url: string, options: { method?: string; path: string; localAddress?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, method: options.method ?? 'GET', path: options.path, localAddress: options.localAddress, headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });

const json = <T>(answer: Answer): T => JSON.parse(answer.body) as T;

interface Seen {
  ip: string | undefined;
  ips: string[];
  protocol: string;
  remoteAddress: string | undefined;
  forwardedFor: string | undefined;
  forwardedHost: string | undefined;
  requestId: string | undefined;
  body: unknown;
}

/** A service app whose routes say what Express made of the request; POST /api/orders is limited to 2 per minute per client address. */
function serviceApp() {
  return createServiceApp({
    ...testAppDeps(),
    routes: (app) => {
      const seen = (req: import('express').Request): Seen => ({
        ip: req.ip,
        ips: req.ips,
        protocol: req.protocol,
        remoteAddress: req.socket.remoteAddress,
        forwardedFor: req.get('x-forwarded-for'),
        forwardedHost: req.get('x-forwarded-host'),
        requestId: req.get('x-request-id'),
        body: req.body as unknown,
      });
      app.get('/api/tickets/cut', (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
      });
      app.get('/api/tickets/seen', (req, res) => {
        res.json(seen(req));
      });
      app.post('/api/orders', perMinuteLimiter({ policy: 'orders', limit: 2, message: 'Too many orders' }), (req, res) => {
        res.status(201).json(seen(req));
      });
    },
  });
}

const routes = loadRouteTable();
const silent = pino({ level: 'silent' });

describe('gateway → service over a unix socket', () => {
  let dir: string;
  let socketPath: string;
  let service: Server | undefined;
  let connections: number;
  let gateway: RunningGateway;

  const startService = async () => {
    service = await listenOnSocket(serviceApp(), socketPath);
    service.on('connection', () => connections++);
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-gw-'));
    socketPath = path.join(dir, 'svc.sock');
    connections = 0;
    await startService();
    const target = `unix:${socketPath}`;
    gateway = await startGateway({
      routes,
      upstreams: { client: [target], auth: [target], tickets: [target], orders: [target], payments: [target] },
      logger: silent,
      port: 0,
      cooldownMs: 50,
    });
  });
  afterEach(async () => {
    await gateway.close();
    if (service) await closeServer(service);
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the service the client's address, not the socket's, and ignores the X-Forwarded-* a client sends", async () => {
    const seen = json<Seen>(await send(gateway.url, { path: '/api/tickets/seen', localAddress: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-request-id': 'req-1' } }));
    expect(seen).toMatchObject({
      ip: '127.0.0.2',
      ips: ['127.0.0.2'],
      protocol: 'http',
      remoteAddress: '127.0.0.1',
      forwardedFor: '127.0.0.2',
      forwardedHost: new URL(gateway.url).host,
      requestId: 'req-1',
    });
  });

  it('keeps one rate-limit bucket per client address (not one for everybody behind the socket)', async () => {
    const order = (localAddress: string) => send(gateway.url, { method: 'POST', path: '/api/orders', localAddress, headers: { 'content-type': 'application/json' }, body: '{"ticketId":"t1"}' });
    expect((await order('127.0.0.2')).status).toBe(201);
    expect((await order('127.0.0.2')).status).toBe(201);
    const limited = await order('127.0.0.2');
    expect(limited.status).toBe(429);
    expect(json(limited)).toEqual({ errors: [{ message: 'Too many orders' }] });
    const other = await order('127.0.0.3');
    expect(other.status).toBe(201);
    expect(json<Seen>(other)).toMatchObject({ ip: '127.0.0.3', body: { ticketId: 't1' } });
    // A client cannot move to a fresh bucket by naming another address.
    expect((await send(gateway.url, { method: 'POST', path: '/api/orders', localAddress: '127.0.0.2', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' }, body: '{}' })).status).toBe(429);
  });

  it('streams bodies both ways (length-framed and chunked) over kept-alive connections', async () => {
    const big = JSON.stringify({ ticketId: 'x'.repeat(50_000) });
    const framed = await send(gateway.url, { method: 'POST', path: '/api/orders', headers: { 'content-type': 'application/json' }, body: big });
    expect(json<Seen>(framed).body).toEqual(JSON.parse(big));
    const chunked = await send(gateway.url, { method: 'POST', path: '/api/orders', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: '{"ticketId":"c"}' });
    expect(chunked.status).toBe(201);
    expect(json<Seen>(chunked).body).toEqual({ ticketId: 'c' });
    for (let i = 0; i < 5; i++) expect((await send(gateway.url, { path: '/api/tickets/seen' })).status).toBe(200);
    // Sequential requests reuse the gateway's kept-alive connection to the socket.
    expect(connections).toBe(1);
  });

  it('answers 502 while the service is down (socket gone, or left by a killed process) and recovers when it is back', async () => {
    await closeServer(service as Server);
    service = undefined;
    expect(existsSync(socketPath)).toBe(false);
    const down = await send(gateway.url, { path: '/api/tickets/seen' });
    expect(down.status).toBe(502);
    expect(json(down)).toEqual({ errors: [{ message: 'The tickets service is unavailable, try again shortly' }] });

    // A SIGKILLed process leaves its socket file: connecting is refused, still a 502.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(existsSync(socketPath)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60)); // past the cooldown
    expect((await send(gateway.url, { path: '/api/tickets/seen' })).status).toBe(502);

    // Restarted on the same path: the stale file is replaced and the gateway gets through.
    await startService();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await send(gateway.url, { path: '/api/tickets/seen' })).status).toBe(200);
  });

  it('cuts the client off when the service dies mid-answer', async () => {
    await expect(send(gateway.url, { path: '/api/tickets/cut' })).rejects.toThrow('aborted');
  });
});
