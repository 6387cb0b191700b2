import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientBuildIsStale } from './client-build';

/** A fake client folder whose files all date from `t0`, and a build from `t0 + 10 s`. */
function setup() {
  const root = mkdtempSync(path.join(tmpdir(), 'microtick-client-'));
  const client = path.join(root, 'client');
  const t0 = Date.now() / 1000 - 3_600;
  const file = (relative: string, at: number) => {
    const full = path.join(client, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, 'x');
    utimesSync(full, at, at);
  };
  for (const source of ['app/page.tsx', 'lib/money.ts', 'next.config.ts']) file(source, t0);
  file('../package-lock.json', t0);
  const stale = () => clientBuildIsStale(client);
  return { file, t0, stale, build: () => file('.next/BUILD_ID', t0 + 10) };
}

describe('clientBuildIsStale', () => {
  it('is stale before the first build and fresh right after it', () => {
    const { stale, build } = setup();
    expect(stale()).toBe(true);
    build();
    expect(stale()).toBe(false);
  });

  it('is stale when a source file or the lockfile changed since', () => {
    const source = setup();
    source.build();
    source.file('app/tickets/[id]/page.tsx', source.t0 + 20);
    expect(source.stale()).toBe(true);
    const lockfile = setup();
    lockfile.build();
    lockfile.file('../package-lock.json', lockfile.t0 + 20);
    expect(lockfile.stale()).toBe(true);
  });

  it('ignores tests, browser tests and build output', () => {
    const { file, stale, build, t0 } = setup();
    build();
    for (const ignored of ['lib/money.test.ts', 'e2e/buy.spec.ts', 'test-output/x.png', '.next/cache/y', 'node_modules/z/index.js']) file(ignored, t0 + 20);
    expect(stale()).toBe(false);
  });
});
