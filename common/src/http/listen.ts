import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createAppServer } from './app-server';

/**
 * Starts listening with `handler` (an Express app or a plain request listener); resolves with the
 * server and the port it got (0 = any free port). Loopback unless told otherwise (config `HOST`):
 * containers pass `0.0.0.0` explicitly.
 */
export const listen = (handler: RequestListener, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> =>
  new Promise((resolve, reject) => {
    const server = createAppServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });

/** The longest unix socket path a `sockaddr_un` holds with its NUL: 108 bytes on Linux, 104 on macOS and the BSDs. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * The address a connection on the unix socket is given. Only processes of the service's own user
 * can reach the socket (its directory is 0700, the file 0600), which is narrower than loopback
 * TCP (any local user): so the peer counts as loopback. Without an address, Express's `trust
 * proxy` would trust no hop on it — `req.ip` undefined, every client of the gateway in one
 * rate-limit bucket ('unknown'), `X-Forwarded-Proto` ignored — and a `trust proxy` rule that
 * trusted an undefined address would trust any TCP peer whose address node could no longer read.
 */
export const UNIX_SOCKET_PEER_ADDRESS = '127.0.0.1';

/**
 * Also serves `handler` on the unix socket `socketPath` (the local gateway connects there: a
 * write on a unix socket costs the sender less than one on loopback TCP, where it also pays
 * the receiver's TCP processing; docs/benchmarks-history.md, "Wave 8 — gateway hop"). The file is made
 * 0600 (its directory should be 0700: the runner's is). A socket file left by a process that was
 * killed is replaced; one where something still answers is refused (EADDRINUSE), as a port is.
 * Node removes the file when the server closes.
 */
export async function listenOnSocket(handler: RequestListener, socketPath: string): Promise<Server> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`unix socket path is ${Buffer.byteLength(socketPath)} bytes, the limit is ${MAX_SOCKET_PATH_BYTES}: ${socketPath}`);
  }
  await removeStaleSocket(socketPath);
  const server = createAppServer(handler);
  server.on('connection', markLocalPeer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  return server;
}

function markLocalPeer(socket: Socket): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: UNIX_SOCKET_PEER_ADDRESS },
    remoteFamily: { value: 'IPv4' },
  });
}

/** A socket file nobody answers on (its process was killed) is removed; anything else at that path is left for `listen` to refuse. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw new Error(`${socketPath} exists and is not a unix socket`);
  const refused = await new Promise<boolean>((resolve, reject) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? resolve(true) : reject(err)));
  });
  if (!refused) throw Object.assign(new Error(`another process listens on ${socketPath}`), { code: 'EADDRINUSE' });
  try {
    unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Stops accepting connections and resolves once in-flight requests have finished. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
