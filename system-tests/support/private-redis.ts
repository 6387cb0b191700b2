import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { localRedisCredentials } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { findFreePorts } from '../../infra/local/src/ports';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * A redis-server of its own (loopback, a free port, no persistence), so a test can restart it
 * without its data, as a Redis that lost its AOF would come back, without touching the shared one.
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const [port] = await findFreePorts(1);
    const redis = new PrivateRedis(port as number);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL, then start again empty after `downtimeMs`. */
  async restartWithoutData(downtimeMs: number): Promise<void> {
    await this.terminate('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, downtimeMs));
    await this.launch();
  }

  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  private async launch(): Promise<void> {
    const child = spawn(REDIS_SERVER, ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no', ...aclUsers()], { stdio: 'ignore' });
    this.child = child;
    await waitFor(() => child.exitCode === null && accepts(this.port), { timeoutMs: 10_000, intervalMs: 50, what: `redis-server on port ${this.port}` });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}

/**
 * The ACL users infra/setup.sh gives the shared Redis (docs/security.md), when it has: a stack
 * pointed here connects as `expiration`, and the test reads as `admin`.
 */
function aclUsers(): string[] {
  const admin = localRedisCredentials('admin');
  const expiration = localRedisCredentials('expiration');
  if (!admin || !expiration) return [];
  return [
    '--user', 'default', 'off',
    '--user', 'admin', 'on', `>${admin.password}`, '~*', '&*', '+@all',
    '--user', 'expiration', 'on', `>${expiration.password}`, '~*', '&*', '+@all', '-@dangerous', '+info',
  ];
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
