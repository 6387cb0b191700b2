import { setTimeout as sleep } from 'node:timers/promises';
import { localRedisCredentials } from '@microtick/common';
import { findFreePorts } from '../../infra/local/src/ports';
import { ServerProcess } from './server-process';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * A redis-server of its own (loopback, a free port, no persistence), so a test can restart it
 * without its data, as a Redis that lost its AOF would come back, without touching the shared one.
 */
export class PrivateRedis {
  private constructor(private readonly server: ServerProcess) {}

  static async start(): Promise<PrivateRedis> {
    const [port] = (await findFreePorts(1)) as [number];
    const server = new ServerProcess(REDIS_SERVER, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', ...aclUsers()], port);
    await server.launch();
    return new PrivateRedis(server);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.server.port}`;
  }

  /** SIGKILL, then start again empty after `downtimeMs`. */
  async restartWithoutData(downtimeMs: number): Promise<void> {
    await this.server.terminate('SIGKILL');
    await sleep(downtimeMs);
    await this.server.launch();
  }

  stop(): Promise<void> {
    return this.server.terminate('SIGTERM');
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
