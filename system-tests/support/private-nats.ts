import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import { findFreePorts } from '../../infra/local/src/ports';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/**
 * A nats-server with JetStream of its own (loopback, a free port, a temporary store), so a test
 * can crash and restart it without touching the shared one other tests use.
 */
export class PrivateNats {
  private child?: ChildProcess;

  private constructor(readonly port: number, private readonly storeDir: string, private readonly log: (line: string) => void) {}

  static async start(log: (line: string) => void = () => undefined): Promise<PrivateNats> {
    const [port] = await findFreePorts(1);
    const nats = new PrivateNats(port as number, mkdtempSync(path.join(tmpdir(), 'microtick-chaos-nats-')), log);
    await nats.launch();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Crashes it (SIGKILL: no flush, no goodbye to clients) and starts it again on the same store after `downtimeMs`. */
  async crashAndRestart(downtimeMs: number): Promise<void> {
    await this.terminate('SIGKILL');
    await sleep(downtimeMs);
    await this.launch();
  }

  /**
   * Freezes it (SIGSTOP) for `ms`, then lets it go on (SIGCONT): connections stay open but
   * nothing is published, acknowledged or delivered meanwhile, like a network partition.
   */
  async pause(ms: number): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) throw new Error('nats-server is not running');
    child.kill('SIGSTOP');
    try {
      await sleep(ms);
    } finally {
      child.kill('SIGCONT');
    }
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => this.log(chunk.toString().trimEnd()));
    await waitFor(() => child.exitCode === null && acceptsConnections(this.port), { timeoutMs: 10_000, intervalMs: 50, what: `nats-server on port ${this.port}` });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}

const acceptsConnections = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
