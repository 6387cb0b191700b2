import { lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningProcessInfo } from './stack';

/** What a running `npm start` writes to `.local/npm-start.json`. */
export interface LockRecord {
  pid: number;
  /** The runner's own command line: a recycled pid with another command is not a runner. */
  command: string;
  url: string;
  startedAt: string;
  /** Its children, so a run that was SIGKILLed (and so could not stop them) is cleaned up by the next. */
  processes: RunningProcessInfo[];
  /** The directory of its services' unix sockets, removed by the next run if this one was SIGKILLed. */
  socketDir?: string;
}

export class AlreadyRunningError extends Error {
  constructor(readonly record: LockRecord) {
    super(
      `MicroTick is already running (pid ${record.pid}, started ${record.startedAt}) at ${record.url}.\n` +
        `Use that one, or stop it first: Ctrl-C in its terminal, or \`kill ${record.pid}\`.`,
    );
  }
}

/**
 * One `npm start` per checkout: the lock is a file created exclusively, holding the runner's
 * pid. A lock whose runner is gone is stale and taken over; the processes it lists that are
 * still alive (and still the same commands) are returned as leftovers for the caller to stop.
 */
export class InstanceLock {
  private held = false;

  constructor(readonly file: string) {}

  acquire(url: string): { leftovers: RunningProcessInfo[]; leftoverSocketDir?: string } {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const record: LockRecord = { pid: process.pid, command: commandLineOf(process.pid) ?? '', url, startedAt: new Date().toISOString(), processes: [] };
    let leftovers: RunningProcessInfo[] = [];
    let leftoverSocketDir: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, 'wx');
        writeFileSync(fd, JSON.stringify(record, null, 2));
        closeSync(fd);
        this.held = true;
        return { leftovers, leftoverSocketDir };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const existing = this.read();
      if (existing && isSameProcess(existing.pid, existing.command)) throw new AlreadyRunningError(existing);
      leftovers = (existing?.processes ?? []).filter((p) => isSameProcess(p.pid, p.command));
      leftoverSocketDir = existing?.socketDir;
      rmSync(this.file, { force: true });
    }
    throw new Error(`could not take the lock ${this.file}: another npm start is starting right now`);
  }

  /** Records the current children (call whenever they change). */
  update(processes: RunningProcessInfo[]): void {
    this.record({ processes });
  }

  /** Records the run's socket directory. */
  recordSocketDir(socketDir: string): void {
    this.record({ socketDir });
  }

  /** Merges `fields` into the lock file, while this process holds it. */
  private record(fields: Partial<Pick<LockRecord, 'processes' | 'socketDir'>>): void {
    if (!this.held) return;
    const record = this.read();
    if (record?.pid === process.pid) writeFileSync(this.file, JSON.stringify({ ...record, ...fields }, null, 2));
  }

  release(): void {
    if (!this.held) return;
    if (this.read()?.pid === process.pid) rmSync(this.file, { force: true });
    this.held = false;
  }

  private read(): LockRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LockRecord;
    } catch {
      return undefined; // missing or half-written: treated as no lock
    }
  }
}

/** `/proc/<pid>/cmdline` as one space-separated string; undefined when there is no such process. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

const isSameProcess = (pid: number, command: string): boolean => command !== '' && commandLineOf(pid) === command;

/** Stops processes a killed run left behind: SIGTERM to each group, SIGKILL after `timeoutMs`. */
export async function stopLeftovers(leftovers: RunningProcessInfo[], timeoutMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const { pid } of leftovers) {
      try {
        process.kill(-pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (leftovers.some((p) => isSameProcess(p.pid, p.command)) && Date.now() < deadline) await sleep(100);
  signal('SIGKILL');
}

/**
 * Removes a killed run's socket directory, only if it is one: named `<prefix>…` and a directory
 * of this user's (the lock file is not trusted to point `rm -r` anywhere else).
 */
export function removeLeftoverSocketDir(dir: string, prefix: string): void {
  try {
    const stat = lstatSync(dir);
    if (path.basename(dir).startsWith(prefix) && stat.isDirectory() && stat.uid === process.getuid?.()) rmSync(dir, { recursive: true, force: true });
  } catch {
    // already gone
  }
}
