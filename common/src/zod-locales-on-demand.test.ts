import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * In a fresh Node process, as a service's main.js loads common (jest keeps a module registry of
 * its own, so the stand-in cannot be seen from here). Runs the compiled common/dist.
 */
const dist = path.resolve(__dirname, '../dist');

function run(script: string): unknown {
  const result = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 20_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? 'null');
}

/** The locale files required so far, by name (the index itself stands in until first use). */
const LOADED_LOCALES = `Object.keys(require.cache).filter((file) => /zod\\/v4\\/locales\\/(?!index)/.test(file)).map((file) => path.basename(file))`;

it('requiring common loads zod with English only', () => {
  expect(
    run(`
      const path = require('node:path');
      require(${JSON.stringify(dist)});
      require('zod').z.string().parse('loaded');
      console.log(JSON.stringify(${LOADED_LOCALES}));
    `),
  ).toEqual(['en.cjs']);
});

it('a locale still works when asked for, and zod lists the same locales as its own index', () => {
  expect(
    run(`
      const path = require('node:path');
      require(${JSON.stringify(dist)});
      const { z } = require('zod');
      const before = ${LOADED_LOCALES}.length;
      z.config(z.locales.de());
      const german = z.string().safeParse(1).error.issues[0].message;
      z.config(z.locales.en());
      const names = Object.keys(z.locales).sort();
      const real = Object.keys(require(require.resolve('zod/v4/locales'))).sort();
      console.log(JSON.stringify({ before, after: ${LOADED_LOCALES}.length, german, same: JSON.stringify(names) === JSON.stringify(real), count: names.length, has: 'fr' in z.locales }));
    `),
  ).toEqual({ before: 1, after: 63, german: 'Ungültige Eingabe: erwartet string, erhalten Zahl', same: true, count: 63, has: true });
});

it('zod still keeps its locales where the stand-in expects them (an upgrade that moves them fails here)', () => {
  expect(run(`console.log(JSON.stringify(require.resolve('zod/v4/locales').endsWith('/zod/v4/locales/index.cjs')))`)).toBe(true);
});
