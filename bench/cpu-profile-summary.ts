/**
 * `node bench/dist/cpu-profile-summary.js <file.cpuprofile> [top]`: where a process spent its
 * CPU time — self time by function and by package (node_modules/<name>, node internals, or
 * the repo's own code) — as a share of the time it was not idle.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Profiler } from 'node:inspector';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/dist/cpu-profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile;

const selfMs = new Map<number, number>();
const deltas = profile.timeDeltas ?? [];
(profile.samples ?? []).forEach((nodeId, i) => selfMs.set(nodeId, (selfMs.get(nodeId) ?? 0) + (deltas[i + 1] ?? 0) / 1000));

const IDLE = new Set(['(idle)', '(root)']);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let busyMs = 0;
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (ms === 0 || IDLE.has(functionName)) continue;
  busyMs += ms;
  const where = url ? `${shortPath(url)}:${lineNumber + 1}` : '';
  const fn = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  byPackage.set(packageOf(url, functionName), (byPackage.get(packageOf(url, functionName)) ?? 0) + ms);
}

const wallMs = (profile.endTime - profile.startTime) / 1000;
console.log(`${path.basename(file)}: ${(busyMs / 1000).toFixed(1)} s busy of ${(wallMs / 1000).toFixed(1)} s`);
const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((ms / busyMs) * 100).toFixed(1).padStart(5)}%  ${(ms / 1000).toFixed(2).padStart(7)} s  ${name}`);
  }
};
print('self time by package', byPackage);
print('self time by function', byFunction);

function shortPath(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  return url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] as string;
  return shortPath(url).split('/').slice(0, 2).join('/');
}
