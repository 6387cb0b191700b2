/** Starts the emulator on a port (0 = any free one) and hands back how to reach and stop it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStripeEmulator, type StripeEmulatorOptions } from './app';
import { EmulatorState } from './state';
import { WebhookSender } from './webhooks';

export interface StartStripeEmulatorOptions extends StripeEmulatorOptions {
  port?: number;
  host?: string;
  /** How long `close()` lets in-flight requests finish before cutting connections. Default 5000 ms. */
  shutdownGraceMs?: number;
}

export interface RunningStripeEmulator {
  /** e.g. `http://127.0.0.1:12111` */
  url: string;
  port: number;
  host: string;
  /** The emulator's state: accounts, the charge ledger and the webhook sender. */
  state: EmulatorState;
  close(): Promise<void>;
}

export async function startStripeEmulator(options: StartStripeEmulatorOptions = {}): Promise<RunningStripeEmulator> {
  const { port = 0, host = '127.0.0.1', shutdownGraceMs = 5_000, ...appOptions } = options;
  const state = appOptions.state ?? new EmulatorState(new WebhookSender({ endpoint: appOptions.webhook }));
  const server = createServer(createStripeEmulator({ ...appOptions, state }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = () => {
    state.webhooks.stop();
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets (the SDK uses them) would hold close() open: drop the idle ones now
      // and whatever is still busy after the grace period.
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), shutdownGraceMs).unref();
    });
    return closing;
  };
  return { url: `http://${urlHost}:${bound}`, port: bound, host, state, close };
}
