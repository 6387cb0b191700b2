import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ProcessSpec } from './stack-plan';

export interface ManagedProcessOptions {
  /** Receives every line the process prints. */
  onLine(line: string): void;
  /** Receives the runner's own remarks about the process (exits, restarts). */
  onNotice(message: string): void;
  /** SIGTERM, then SIGKILL if it has not exited after this long. */
  stopTimeoutMs: number;
  /** Restart delays: `initial`·2ⁿ up to `max`; a process that stayed up `resetAfterMs` starts over at `initial`. */
  backoff?: { initialMs: number; maxMs: number; resetAfterMs: number };
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 15_000, resetAfterMs: 30_000 };
const RECENT_LINES = 40;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One child process in its own process group (so a terminal's Ctrl-C reaches only the runner,
 * which then stops children in order, and stopping a child also stops anything it spawned).
 * Once `superviseCrashes()` is on, an unexpected exit is logged and followed by a restart with
 * exponential backoff; `stop()` and `kill()` are expected exits and are not restarted.
 */
export class ManagedProcess {
  private child?: ChildProcess;
  private exited?: Promise<ExitInfo>;
  private restartTimer?: NodeJS.Timeout;
  private supervising = false;
  /** True from stop()/kill() until the next start(): the exit is ours, not a crash. */
  private expectingExit = false;
  private attempt = 0;
  private startedAt = 0;
  private readonly recent: string[] = [];
  private readonly exitListeners = new Set<(exit: ExitInfo) => void>();
  private readonly backoff: NonNullable<ManagedProcessOptions['backoff']>;

  constructor(readonly spec: ProcessSpec, private readonly options: ManagedProcessOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  get label(): string {
    return this.spec.label;
  }

  get pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** The last lines it printed, for error messages. */
  get recentLines(): readonly string[] {
    return this.recent;
  }

  start(): void {
    if (this.pid !== undefined) return;
    clearTimeout(this.restartTimer);
    this.expectingExit = false;
    this.startedAt = Date.now();
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.pipeLines(child.stdout);
    this.pipeLines(child.stderr);
    this.exited = new Promise((resolve) => {
      // 'close' waits for the output to be read too, so a crash's last words are in `recent`.
      child.once('close', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        this.remember(`failed to start: ${err.message}`);
        resolve({ code: null, signal: null });
      });
    });
    void this.exited.then((exit) => this.onExit(child, exit));
  }

  /** Called on every exit, expected or not (start-up uses it to fail fast). */
  onExitOnce(listener: (exit: ExitInfo) => void): () => void {
    const wrapped = (exit: ExitInfo) => {
      this.exitListeners.delete(wrapped);
      listener(exit);
    };
    this.exitListeners.add(wrapped);
    return () => {
      this.exitListeners.delete(wrapped);
    };
  }

  /** From now on an unexpected exit is restarted with backoff. */
  superviseCrashes(): void {
    this.supervising = true;
  }

  /** SIGTERM to the group; SIGKILL after the timeout. Resolves once it has exited. */
  async stop(): Promise<void> {
    this.expectingExit = true;
    clearTimeout(this.restartTimer);
    if (this.pid === undefined || !this.exited) return;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => {
      this.options.onNotice(`${this.label} did not stop within ${this.options.stopTimeoutMs} ms: SIGKILL`);
      this.signalGroup('SIGKILL');
    }, this.options.stopTimeoutMs);
    await this.exited;
    clearTimeout(timer);
    this.signalGroup('SIGKILL'); // anything it spawned and left behind
  }

  /** Sends `signal` (SIGKILL: a crash) and keeps it down, without restart, until `start()`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.expectingExit = true;
    clearTimeout(this.restartTimer);
    if (this.pid === undefined || !this.exited) return;
    this.signalGroup(signal);
    await this.exited;
  }

  /** Last resort on a second Ctrl-C: SIGKILL now, wait for nothing. */
  forceKill(): void {
    this.expectingExit = true;
    clearTimeout(this.restartTimer);
    this.signalGroup('SIGKILL');
  }

  private onExit(child: ChildProcess, exit: ExitInfo): void {
    if (this.child !== child) return;
    for (const listener of [...this.exitListeners]) listener(exit);
    if (this.expectingExit || !this.supervising) return;
    if (Date.now() - this.startedAt >= this.backoff.resetAfterMs) this.attempt = 0;
    const delay = Math.min(this.backoff.initialMs * 2 ** this.attempt, this.backoff.maxMs);
    this.attempt++;
    this.options.onNotice(`${this.label} exited unexpectedly (${describeExit(exit)}); restarting in ${(delay / 1000).toFixed(1)} s (restart #${this.attempt})`);
    this.restartTimer = setTimeout(() => this.start(), delay);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }

  private pipeLines(stream: Readable | null): void {
    if (!stream) return;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      this.remember(line);
      this.options.onLine(line);
    });
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
  }
}

export const describeExit = ({ code, signal }: ExitInfo): string => (signal ? `signal ${signal}` : `exit code ${code ?? '?'}`);

/** `promise`, unless the process exits first: then a ProcessExitedError with its last lines. */
export async function raceExit<T>(managed: ManagedProcess, promise: Promise<T>): Promise<T> {
  let unsubscribe = (): void => undefined;
  const exited = new Promise<never>((_, reject) => {
    unsubscribe = managed.onExitOnce((exit) => reject(new ProcessExitedError(managed, exit)));
  });
  try {
    return await Promise.race([promise, exited]);
  } finally {
    unsubscribe();
  }
}

export class ProcessExitedError extends Error {
  constructor(readonly managed: ManagedProcess, readonly exit: ExitInfo) {
    const tail = managed.recentLines.slice(-15).map((line) => `    ${line}`).join('\n');
    super(`${managed.label} exited during start-up (${describeExit(exit)})${tail ? `; its last lines:\n${tail}` : ''}`);
  }
}
