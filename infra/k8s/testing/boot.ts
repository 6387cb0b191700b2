import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on loopback, for a process we start. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Lays the image's own package links over a runtime tree, as the runtime stage's `npm ci` does
 * (/app/node_modules/@microtick/common → ../../common); third-party packages resolve from the
 * folder above, where the build stage installed them.
 */
export function linkWorkspacePackages(runtimeRoot: string, packages: Record<string, string>): void {
  const scope = path.join(runtimeRoot, 'node_modules/@microtick');
  mkdirSync(scope, { recursive: true });
  for (const [name, folder] of Object.entries(packages)) {
    const link = path.join(scope, name);
    if (!existsSync(link)) symlinkSync(path.posix.join('../..', folder), link);
  }
}

export interface BootedProcess {
  child: ChildProcess;
  output: () => string;
}

export function startProcess(command: string[], options: { cwd: string; env: Record<string, string> }): BootedProcess {
  const [file = '', ...args] = command;
  const child = spawn(file, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Polls `url` until it answers 200; fails with the process's output when it does not in time. */
export async function waitForOk(url: string, booted: BootedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (booted.child.exitCode !== null) throw new Error(`exited with ${booted.child.exitCode} before answering ${url}:\n${booted.output()}`);
    const status = await fetch(url).then((response) => response.status, () => 0);
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${booted.output()}`);
}

/** Sends SIGTERM and resolves with the exit code and how long the process took to stop. */
export async function terminate(booted: BootedProcess, timeoutMs: number): Promise<{ code: number | null; seconds: number }> {
  const started = Date.now();
  const exited = once(booted.child, 'exit') as Promise<[number | null]>;
  booted.child.kill('SIGTERM');
  const timer = setTimeout(() => booted.child.kill('SIGKILL'), timeoutMs);
  const [code] = await exited;
  clearTimeout(timer);
  return { code, seconds: (Date.now() - started) / 1000 };
}
