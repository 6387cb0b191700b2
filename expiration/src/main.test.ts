/**
 * The real entry point, as `npm start` and Kubernetes run it (through tsx, from source): one
 * process per start, configured by its environment, stopped by SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { RedisDeadLetters, runDeadLetterCommand } from '@microtick/common';
import { REDIS_URL, waitFor } from '@microtick/common/testing';
import { expirationEventId } from './expiration/expiration-complete.publisher';
import { createExpirationTestKit, orderCreatedData, type ExpirationTestKit } from './test-support';

const REPO_ROOT = path.join(__dirname, '../..');

interface RunningMain {
  child: ChildProcess;
  output: () => string;
  port: () => number | undefined;
}

/** Starts expiration/src/main.ts (or `entry`, a script that loads it) with the kit's settings as its environment, on a free port. */
function startMain(env: Record<string, string | number | undefined>, entry: string[] = ['expiration/src/main.ts']): RunningMain {
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    port: () => {
      const ready = /"port":(\d+)[^\n]*expiration ready/.exec(output);
      return ready ? Number(ready[1]) : undefined;
    },
  };
}

const exitOf = async (main: RunningMain) => {
  if (main.child.exitCode !== null) return main.child.exitCode;
  const [code] = (await once(main.child, 'exit')) as [number | null];
  return code;
};

const stopMain = async (main: RunningMain) => {
  if (main.child.exitCode === null) main.child.kill('SIGTERM');
  return exitOf(main);
};

let kit: ExpirationTestKit;
let running: RunningMain | undefined;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(async () => {
  if (running) await stopMain(running);
  running = undefined;
  await kit.destroy();
});

const readyPort = (main: RunningMain) => waitFor(() => (main.child.exitCode === null ? main.port() : Promise.reject(new Error(main.output()))), { timeoutMs: 30_000, what: 'expiration ready' });

describe('expiration main', () => {
  it('is ready with NATS and Redis, turns order:created into expiration:complete, drops a completed order, and stops on SIGTERM', async () => {
    running = startMain(kit.config);
    const port = await readyPort(running);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { name: string }[] }).checks.map((c) => c.name)).toEqual(['nats', 'redis']);

    const expiring = orderCreatedData(300);
    const paid = orderCreatedData(300);
    await kit.publish('order:created', expiring);
    await kit.publish('order:created', paid);
    await kit.publish('order:completed', { id: paid.id, version: 1, userId: paid.userId, paymentId: randomUUID(), ticket: paid.ticket });

    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete' });
    await sleep(500);
    expect(kit.received.map((r) => r.envelope)).toEqual([
      { id: expirationEventId(expiring.id), type: 'expiration:complete', occurredAt: expiring.expiresAt, data: { orderId: expiring.id } },
    ]);

    expect(await stopMain(running)).toBe(0);
  });

  it('keeps pending timers across a restart of the whole service', async () => {
    running = startMain(kit.config);
    await readyPort(running);
    const order = orderCreatedData(1_000);
    await kit.publish('order:created', order);
    await waitFor(() => kit.queue.getJob(order.id), { what: 'timer armed' });
    expect(await stopMain(running)).toBe(0);

    running = startMain(kit.config);
    await waitFor(() => kit.received.length === 1, { timeoutMs: 30_000, what: 'expiration:complete after the restart' });
    expect(kit.received[0]!.envelope.data.orderId).toBe(order.id);
  });

  it('lists and replays its dead letters with npm run dead-letters, the running service re-running the event', async () => {
    running = startMain(kit.config);
    await readyPort(running);
    // A garbled message is parked at once, by the running service, in Redis under its prefix.
    await kit.bus.js.publish(kit.bus.subjectFor('order:created'), 'not json at all');
    const env = { REDIS_URL, REDIS_KEY_PREFIX: kit.keyPrefix };
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      return { code: await runDeadLetterCommand(argv, env, (line) => lines.push(line)), output: lines.join('\n') };
    };
    await waitFor(async () => (await cli('list', '--service', 'expiration')).output.includes('invalid event'), { what: 'the garbled message listed' });

    // A valid order:created parked (as after a Redis outage), then replayed by the operator.
    const order = orderCreatedData(300);
    const envelope = { id: randomUUID(), type: 'order:created' as const, occurredAt: new Date().toISOString(), data: order };
    const letterId = await new RedisDeadLetters(kit.redis, { keyPrefix: kit.keyPrefix, service: 'expiration' }).record({
      consumer: 'expiration-order-created',
      subject: kit.bus.subjectFor('order:created'),
      eventType: 'order:created',
      eventId: envelope.id,
      payload: JSON.stringify(envelope),
      error: 'Error: READONLY replica',
      deliveries: 10,
    });
    expect(await cli('replay', '--service', 'expiration', letterId)).toMatchObject({ code: 0 });
    await waitFor(() => kit.received.some((r) => r.envelope.data.orderId === order.id), { timeoutMs: 20_000, what: 'the replayed order expiring' });
    expect((await cli('list', '--service', 'expiration', '--all')).output).toMatch(new RegExp(`${letterId}.*replayed=`));
  });

  it('never loads drizzle, pg or Express: without a database or routes of its own it leaves them out of its memory', async () => {
    // Prints, as the process exits, the npm packages it loaded.
    const reportPackages = `process.on('exit', () => console.log('loaded packages ' + JSON.stringify([...new Set(Object.keys(require.cache).flatMap((file) => /.*node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1] ?? []))])));`;
    running = startMain(kit.config, ['-e', `${reportPackages} require('./expiration/src/main.ts');`]);
    await readyPort(running);
    expect(await stopMain(running)).toBe(0);
    const packages = JSON.parse(/loaded packages (.*)/.exec(running.output())?.[1] ?? 'null') as string[];
    expect(packages).toEqual(expect.arrayContaining(['bullmq', 'ioredis', '@nats-io/jetstream']));
    for (const unused of ['drizzle-orm', 'pg', 'express', 'helmet']) expect(packages).not.toContain(unused);
  });

  it('exits with the cause when Redis is unreachable, after undoing what had started', async () => {
    running = startMain({ ...kit.config, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await exitOf(running)).toBe(1);
    expect(running.output()).toMatch(/ECONNREFUSED/);
    expect(running.output()).toMatch(/expiration failed to start: stopping what had started/);
  });
});
