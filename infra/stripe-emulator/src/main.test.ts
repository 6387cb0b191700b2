import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

/** Runs the built CLI (`node dist/main.js`), as `npm start` does. */
function startCli(env: Record<string, string>) {
  return spawn(process.execPath, [path.join(root, 'dist', 'main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the CLI', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', root], { stdio: 'inherit' });
  }, 60_000);

  it('logs one line when listening, serves, and exits 0 on SIGTERM', async () => {
    const child = startCli({ PORT: '0', HOST: '127.0.0.1' });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const line = chunk.toString();
    const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/__emulator/health`);
    expect(await health.json()).toEqual({ status: 'ok' });

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('refuses a bad PORT with a clear message and exit code 1', async () => {
    const child = startCli({ PORT: 'nope' });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT must be an integer/);
  });
});
