import type { Server } from 'node:http';
import type { Express } from 'express';

/**
 * Starts listening; resolves with the server and the port it got (0 = any free port). Loopback
 * unless told otherwise (config `HOST`): containers pass `0.0.0.0` explicitly.
 */
export const listen = (app: Express, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> =>
  new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(err);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });

/** Stops accepting connections and resolves once in-flight requests have finished. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
