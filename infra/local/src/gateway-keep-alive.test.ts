import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startGateway } from './gateway';
import { loadRouteTable } from './routes';

/** An upstream that counts the TCP connections it accepts. */
async function startCountingUpstream(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET over `agent`; says whether the answer allowed keeping the connection and whether it reused one. */
const get = (agent: Agent, url: string) =>
  new Promise<{ connection: string | undefined; reusedSocket: boolean }>((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ connection: res.headers.connection, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });

describe('gateway connections', () => {
  it('keeps the client connection and the upstream connection alive across requests', async () => {
    const upstream = await startCountingUpstream();
    const upstreams = Object.fromEntries(['client', 'auth', 'tickets', 'orders', 'payments'].map((name) => [name, [upstream.url]]));
    const gateway = await startGateway({ routes: loadRouteTable(), upstreams, logger: pino({ level: 'silent' }), port: 0 });
    const client = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await get(client, `${gateway.url}/api/users/currentuser`));
      expect(answers.map((answer) => answer.connection)).toEqual(['keep-alive', 'keep-alive', 'keep-alive']);
      expect(answers.map((answer) => answer.reusedSocket)).toEqual([false, true, true]);
      expect(upstream.connections()).toBe(1);
    } finally {
      client.destroy();
      await gateway.close();
      await upstream.close();
    }
  });
});
