import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePorts } from '../../infra/local/src/ports';
import { ServerProcess } from './server-process';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/**
 * A nats-server with JetStream of its own (loopback, a free port, a temporary store), so a test
 * can crash and restart it without touching the shared one other tests use.
 */
export class PrivateNats {
  private constructor(private readonly server: ServerProcess, private readonly storeDir: string) {}

  static async start(log: (line: string) => void = () => undefined): Promise<PrivateNats> {
    const [port] = (await findFreePorts(1)) as [number];
    const storeDir = mkdtempSync(path.join(tmpdir(), 'microtick-chaos-nats-'));
    const server = new ServerProcess(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], port, log);
    await server.launch();
    return new PrivateNats(server, storeDir);
  }

  get port(): number {
    return this.server.port;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Crashes it (SIGKILL: no flush, no goodbye to clients) and starts it again on the same store after `downtimeMs`. */
  async crashAndRestart(downtimeMs: number): Promise<void> {
    await this.server.terminate('SIGKILL');
    await sleep(downtimeMs);
    await this.server.launch();
  }

  /**
   * Freezes it (SIGSTOP) for `ms`, then lets it go on (SIGCONT): connections stay open but
   * nothing is published, acknowledged or delivered meanwhile, like a network partition.
   */
  async pause(ms: number): Promise<void> {
    this.server.signal('SIGSTOP');
    try {
      await sleep(ms);
    } finally {
      this.server.signal('SIGCONT');
    }
  }

  async stop(): Promise<void> {
    await this.server.terminate('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
