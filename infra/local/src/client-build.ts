import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Not inputs of `next build`: output, dependencies, tests. */
const IGNORED = new Set(['node_modules', '.next', 'test-output', 'e2e', 'playwright.config.ts', 'jest.config.js']);
const isTest = (name: string) => /\.test\.[cm]?[jt]sx?$/.test(name);

/** True when `next build` has never run or a source file (or the lockfile) changed since. */
export function clientBuildIsStale(clientDir: string, lockfile = path.join(clientDir, '../package-lock.json')): boolean {
  const buildId = path.join(clientDir, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const newerThanBuild = (file: string) => statSync(file).mtimeMs > builtAt;
  return (existsSync(lockfile) && newerThanBuild(lockfile)) || anyFile(clientDir, newerThanBuild);
}

function anyFile(dir: string, predicate: (file: string) => boolean): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name) || isTest(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() ? anyFile(full, predicate) : entry.isFile() && predicate(full)) return true;
  }
  return false;
}

/** Runs `next build` in the client, each output line through `onLine`; rejects when it fails or is aborted. */
export function buildClient(clientDir: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const nextBin = require.resolve('next/dist/bin/next', { paths: [clientDir] });
  const child = spawn(process.execPath, [nextBin, 'build'], {
    cwd: clientDir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal,
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`next build failed (${signal ? `signal ${signal}` : `exit code ${code}`})`)),
    );
  });
}
