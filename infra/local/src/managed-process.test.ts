import { readFileSync } from 'node:fs';
import { waitFor } from '@microtick/common/testing';
import { ManagedProcess, ProcessExitedError, raceExit, type ManagedProcessOptions } from './managed-process';
import type { ProcessSpec } from './stack-plan';

/** A ManagedProcess running `node -e script`, recording what it prints and what the runner says. */
function setup(script: string, options: Partial<ManagedProcessOptions> = {}) {
  const lines: string[] = [];
  const notices: string[] = [];
  const spec: ProcessSpec = {
    name: 'orders',
    replica: 0,
    label: 'orders',
    command: process.execPath,
    args: ['-e', script],
    cwd: process.cwd(),
    env: { PATH: process.env.PATH },
    port: 0,
    url: 'http://127.0.0.1:0',
    ready: { url: 'http://127.0.0.1:0/readyz', expect: 'ok' },
  };
  const managed = new ManagedProcess(spec, {
    onLine: (line) => lines.push(line),
    onNotice: (message) => notices.push(message),
    stopTimeoutMs: 5_000,
    ...options,
  });
  return { managed, lines, notices };
}

/** Running, not a zombie waiting for a parent (PID 1 in a container may be slow to reap). */
const isAlive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const STAYS_UP = 'console.log("up"); setInterval(() => {}, 1000);';

let running: ManagedProcess | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('ManagedProcess', () => {
  it('hands over every line from stdout and stderr', async () => {
    const { managed, lines } = setup('console.log("one"); console.error("two"); console.log("three\\nfour")');
    running = managed;
    const exited = new Promise((resolve) => managed.onExitOnce(resolve));
    managed.start();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(lines.sort()).toEqual(['four', 'one', 'three', 'two']);
  });

  it('stops with SIGTERM, letting the process finish its shutdown', async () => {
    const { managed, lines, notices } = setup('process.on("SIGTERM", () => { console.log("draining"); setTimeout(() => process.exit(0), 100); }); ' + STAYS_UP);
    running = managed;
    managed.start();
    await waitFor(() => lines.includes('up'));
    await managed.stop();
    expect(lines).toContain('draining');
    expect(managed.pid).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('sends SIGKILL when SIGTERM is ignored past the timeout', async () => {
    const { managed, lines, notices } = setup('process.on("SIGTERM", () => console.log("ignoring")); ' + STAYS_UP, { stopTimeoutMs: 300 });
    running = managed;
    managed.start();
    await waitFor(() => lines.includes('up'));
    const started = Date.now();
    await managed.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(lines).toContain('ignoring');
    expect(notices).toEqual(['orders did not stop within 300 ms: SIGKILL']);
  });

  it('stops what the process spawned too (its whole process group)', async () => {
    const { managed, lines } = setup('const c = require("child_process").spawn("sleep", ["30"], { stdio: "ignore" }); console.log("grandchild " + c.pid); ' + STAYS_UP);
    running = managed;
    managed.start();
    const line = await waitFor(() => lines.find((l) => l.startsWith('grandchild ')));
    const grandchild = Number(line.split(' ')[1]);
    expect(isAlive(grandchild)).toBe(true);
    await managed.stop();
    await waitFor(() => !isAlive(grandchild), { timeoutMs: 2_000, what: 'the grandchild to be gone' });
  });

  it('restarts a crashed process with exponential backoff, once supervising', async () => {
    const { managed, lines, notices } = setup('console.log("starting"); process.exit(3)', { backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 } });
    running = managed;
    managed.superviseCrashes();
    managed.start();
    await waitFor(() => notices.length >= 4, { timeoutMs: 5_000 });
    await managed.stop();
    expect(notices.slice(0, 4)).toEqual([
      'orders exited unexpectedly (exit code 3); restarting in 0.1 s (restart #1)',
      'orders exited unexpectedly (exit code 3); restarting in 0.2 s (restart #2)',
      'orders exited unexpectedly (exit code 3); restarting in 0.4 s (restart #3)',
      'orders exited unexpectedly (exit code 3); restarting in 0.4 s (restart #4)',
    ]);
    expect(lines.filter((l) => l === 'starting').length).toBeGreaterThanOrEqual(4);
  });

  it('keeps a killed process down until it is started again', async () => {
    const { managed, lines, notices } = setup(STAYS_UP, { backoff: { initialMs: 10, maxMs: 10, resetAfterMs: 60_000 } });
    running = managed;
    managed.superviseCrashes();
    managed.start();
    await waitFor(() => lines.length === 1);
    await managed.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(managed.pid).toBeUndefined();
    expect(notices).toEqual([]);
    managed.start();
    await waitFor(() => lines.length === 2);
    expect(managed.pid).toEqual(expect.any(Number));
  });

  it('fails start-up with the last lines of a process that exits', async () => {
    const { managed } = setup('console.error("Invalid configuration:\\n  DATABASE_URL: is required"); process.exit(1)');
    running = managed;
    managed.start();
    const error = await raceExit(managed, new Promise(() => undefined)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProcessExitedError);
    expect((error as Error).message).toBe('orders exited during start-up (exit code 1); its last lines:\n    Invalid configuration:\n      DATABASE_URL: is required');
  });
});
