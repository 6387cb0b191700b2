import { randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:net';

/**
 * Ports are picked at random below Linux's ephemeral range (32768-60999 by default): a port the
 * OS handed out for listen(0) is also one it may hand to an outgoing connection a moment later,
 * before our child process binds it (EADDRINUSE about one stack start in ten under load).
 */
const PICK_FROM = 20_000;
const PICK_TO = 32_000;

const listenOn = (server: Server, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, () => resolve(true));
  });

/** `count` distinct ports that were free a moment ago (held together, so never the same twice). */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    for (let tries = 0; ports.length < count; tries++) {
      if (tries > count * 50) throw new Error(`could not find ${count} free ports between ${PICK_FROM} and ${PICK_TO}`);
      const port = randomInt(PICK_FROM, PICK_TO);
      if (ports.includes(port)) continue;
      const server = createServer();
      if (await listenOn(server, port)) {
        servers.push(server);
        ports.push(port);
      }
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Whether nothing listens on `port` (on any address: a listener on 127.0.0.1 alone counts). */
export const isPortFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
