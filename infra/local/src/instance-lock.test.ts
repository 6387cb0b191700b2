import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@microtick/common/testing';
import { AlreadyRunningError, commandLineOf, InstanceLock, removeLeftoverSocketDir, stopLeftovers, type LockRecord } from './instance-lock';

const setup = () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'microtick-lock-')), '.local/npm-start.json');
  mkdirSync(path.dirname(file));
  const write = (record: Partial<LockRecord>) =>
    writeFileSync(file, JSON.stringify({ pid: 999_999_999, command: 'node start.js', url: 'http://127.0.0.1:8080', startedAt: 'earlier', processes: [], ...record }));
  return { file, write, lock: new InstanceLock(file) };
};

describe('InstanceLock', () => {
  it('records this runner and removes the file on release', () => {
    const { file, lock } = setup();
    expect(lock.acquire('http://127.0.0.1:8080')).toEqual({ leftovers: [] });
    const record = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    expect(record).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:8080', command: commandLineOf(process.pid) });
    lock.update([{ label: 'auth', pid: 1, command: 'node auth' }]);
    expect((JSON.parse(readFileSync(file, 'utf8')) as LockRecord).processes).toEqual([{ label: 'auth', pid: 1, command: 'node auth' }]);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("hands over a killed runner's socket directory, and removes only a directory of that name", () => {
    const { write, lock, file } = setup();
    const socketDir = mkdtempSync(path.join(tmpdir(), 'microtick-'));
    write({ pid: 999_999_999, socketDir });
    expect(lock.acquire('u')).toEqual({ leftovers: [], leftoverSocketDir: socketDir });
    lock.recordSocketDir('/tmp/microtick-new');
    lock.update([]);
    expect((JSON.parse(readFileSync(file, 'utf8')) as LockRecord).socketDir).toBe('/tmp/microtick-new');
    lock.release();
    const other = mkdtempSync(path.join(tmpdir(), 'not-ours-'));
    removeLeftoverSocketDir(other, 'microtick-');
    expect(existsSync(other)).toBe(true);
    rmSync(other, { recursive: true });
    removeLeftoverSocketDir(socketDir, 'microtick-');
    expect(existsSync(socketDir)).toBe(false);
  });

  it('refuses a second runner while the first is alive, saying where it runs', () => {
    const { file, lock } = setup();
    lock.acquire('http://127.0.0.1:8080');
    const second = new InstanceLock(file);
    expect(() => second.acquire('http://127.0.0.1:8080')).toThrow(AlreadyRunningError);
    expect(() => second.acquire('http://127.0.0.1:8080')).toThrow(`MicroTick is already running (pid ${process.pid}`);
    lock.release();
  });

  it('takes over the lock of a runner that is gone, or of a pid now used by another program', () => {
    const { write, lock } = setup();
    write({ pid: 999_999_999 });
    expect(lock.acquire('u')).toEqual({ leftovers: [] });
    lock.release();
    write({ pid: process.pid, command: 'something else entirely' });
    expect(lock.acquire('u')).toEqual({ leftovers: [] });
    lock.release();
  });

  it('hands back the live children of a killed runner, and stopLeftovers stops them', async () => {
    const orphan = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pid = orphan.pid as number;
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    const { write, lock } = setup();
    const command = commandLineOf(pid) as string;
    write({ processes: [{ label: 'orders', pid, command }, { label: 'auth', pid: 999_999_998, command: 'node auth' }] });
    const { leftovers } = lock.acquire('u');
    expect(leftovers).toEqual([{ label: 'orders', pid, command }]);
    await stopLeftovers(leftovers, 2_000);
    await exited;
    await waitFor(() => commandLineOf(pid) === undefined || commandLineOf(pid) === '', { timeoutMs: 2_000, what: 'the orphan to be gone' });
    lock.release();
  });
});
