import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * In a fresh Node process (this jest worker has long loaded undici), as a service's main.js does:
 * requiring common loads pg but not Node's fetch implementation, and fetch's globals still work
 * afterwards. Runs the compiled common/dist, as the services do.
 */
const dist = path.resolve(__dirname, '../dist');

function run(script: string): { stdout: string; output: string; status: number | null } {
  const result = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 20_000 });
  return { stdout: result.stdout.trim(), output: result.stdout + result.stderr, status: result.status };
}

const undiciLoaded = `process.moduleLoadList.some((name) => name.includes('undici'))`;

it('requiring common (and with it pg) does not load undici', () => {
  const { stdout, output, status } = run(`
    require(${JSON.stringify(dist)});
    console.log(JSON.stringify({ pg: Object.keys(require.cache).some((file) => file.includes('/node_modules/pg/lib/')), undici: ${undiciLoaded} }));
  `);
  expect(status).toBe(0);
  expect(JSON.parse(stdout)).toEqual({ pg: true, undici: false });
  expect(output).not.toContain('Error');
});

it('leaves Response, Request and fetch as Node defines them', () => {
  const { stdout, status } = run(`
    const before = Object.getOwnPropertyDescriptor(globalThis, 'Response');
    require(${JSON.stringify(dist)});
    const after = Object.getOwnPropertyDescriptor(globalThis, 'Response');
    const same = before.get === after.get && before.set === after.set && before.value === after.value && before.enumerable === after.enumerable && before.configurable === after.configurable;
    new Response('body', { status: 201 }).text().then((text) => console.log(JSON.stringify({ same, text, fetch: typeof fetch, request: typeof Request })));
  `);
  expect(status).toBe(0);
  expect(JSON.parse(stdout)).toEqual({ same: true, text: 'body', fetch: 'function', request: 'function' });
});
