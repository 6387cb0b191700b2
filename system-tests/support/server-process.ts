import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { waitFor } from '@microtick/common/testing';

/**
 * One server binary run by a test (a private nats-server or redis-server on a free loopback
 * port): started until it accepts connections, signalled, and waited for when it exits. Restarts
 * reuse the same command, so a test can crash a server and bring it back as it was.
 */
export class ServerProcess {
  private child?: ChildProcess;

  /** `log` gets the server's output, line by line; without it the output is dropped. */
  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    readonly port: number,
    private readonly log?: (line: string) => void,
  ) {}

  async launch(): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: ['ignore', this.log ? 'pipe' : 'ignore', this.log ? 'pipe' : 'ignore'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => this.log?.(chunk.toString().trimEnd()));
    const name = this.command.split('/').pop();
    await waitFor(() => child.exitCode === null && acceptsConnections(this.port), { timeoutMs: 10_000, intervalMs: 50, what: `${name} on port ${this.port}` });
  }

  /** Sends `signal` to a running server; resolves once it has exited. */
  async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** Sends a signal that does not end it (SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void {
    const child = this.child;
    if (!child || child.exitCode !== null) throw new Error(`${this.command} is not running`);
    child.kill(signal);
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
