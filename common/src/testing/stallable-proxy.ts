import net from 'node:net';

/**
 * A TCP proxy a test can freeze: while frozen it keeps every connection open but passes no
 * byte either way, which is what a peer looks like when its host stalls or vanishes (no FIN, no
 * RST). It can also cut every connection and refuse new ones (a restart), or hold the server's
 * answers back (a slow network). `close()` destroys everything.
 */
export class StallableProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private frozen = false;
  private refusing = false;
  /** While answers are held: the writes to make on `releaseAnswers()`, in order. */
  private held?: (() => void)[];
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target);
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(from);
        from.on('data', (chunk) => {
          if (this.frozen) return;
          if (from === upstream && this.held) this.held.push(() => to.write(chunk));
          else to.write(chunk);
        });
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.sockets.delete(from);
          to.destroy();
        });
      }
    });
  }

  static async start(target: { host: string; port: number }): Promise<StallableProxy> {
    const proxy = new StallableProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** From now on every byte in either direction is dropped; the connections stay open. */
  freeze(): void {
    this.frozen = true;
  }

  /**
   * From now on the server's bytes are kept, not passed on, until `release()`: what a client sent
   * still arrives and runs, only its answers wait (a slow network, a busy client).
   */
  holdAnswers(): void {
    this.held ??= [];
  }

  /** Passes on the answers held since `holdAnswers()`, and the next ones at once. */
  releaseAnswers(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const write of held) write();
  }

  /** Drops every open connection (as a peer's restart does) and drops new ones at once until `mend()`. */
  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  /** Lets new connections through again after `cut()`. */
  mend(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
