import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Starts listening with `handler` (an Express app or a plain request listener); resolves with the
 * server and the port it got (0 = any free port). Loopback unless told otherwise (config `HOST`):
 * containers pass `0.0.0.0` explicitly.
 */
export const listen = (handler: RequestListener, port: number, host = '127.0.0.1'): Promise<{ server: Server; port: number }> =>
  new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
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
