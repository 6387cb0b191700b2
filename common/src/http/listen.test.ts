import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closeServer, listenOnSocket, MAX_SOCKET_PATH_BYTES, UNIX_SOCKET_PEER_ADDRESS } from './listen';

const getOverSocket = (socketPath: string, urlPath = '/'): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    request({ socketPath, path: urlPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });

/** A socket file with nothing behind it, as a SIGKILLed service leaves it. */
async function staleSocketAt(socketPath: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  await new Promise((resolve) => child.once('exit', resolve));
  expect(statSync(socketPath).isSocket()).toBe(true);
}

describe('listenOnSocket', () => {
  let dir: string;
  const servers: Server[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mt-listen-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closeServer));
    rmSync(dir, { recursive: true, force: true });
  });
  const serve = async (socketPath: string) => {
    const server = await listenOnSocket((req, res) => res.end(`${req.socket.remoteAddress} ${req.socket.remoteFamily}`), socketPath);
    servers.push(server);
    return server;
  };

  it('serves on a 0600 socket whose peers count as loopback, and removes the file on close', async () => {
    const socketPath = path.join(dir, 'svc.sock');
    const server = await serve(socketPath);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(await getOverSocket(socketPath)).toEqual({ status: 200, body: `${UNIX_SOCKET_PEER_ADDRESS} IPv4` });
    await closeServer(servers.splice(servers.indexOf(server), 1)[0] as Server);
    expect(existsSync(socketPath)).toBe(false);
  });

  it('replaces the socket a killed process left behind', async () => {
    const socketPath = path.join(dir, 'svc.sock');
    await staleSocketAt(socketPath);
    await serve(socketPath);
    expect((await getOverSocket(socketPath)).status).toBe(200);
  });

  it('refuses a socket another process still answers on, and a path that is not a socket', async () => {
    const socketPath = path.join(dir, 'svc.sock');
    await serve(socketPath);
    await expect(serve(socketPath)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect((await getOverSocket(socketPath)).status).toBe(200);
    const file = path.join(dir, 'file.sock');
    writeFileSync(file, 'data');
    await expect(serve(file)).rejects.toThrow('is not a unix socket');
  });

  it('refuses a path longer than a socket address holds', async () => {
    const tooLong = path.join(dir, `${'x'.repeat(MAX_SOCKET_PATH_BYTES)}.sock`);
    await expect(serve(tooLong)).rejects.toThrow(`the limit is ${MAX_SOCKET_PATH_BYTES}`);
  });
});
