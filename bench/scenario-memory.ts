import { residentMemoryKb, SERVICES } from '@microtick/local';
import type { Baseline } from './baseline';
import type { BenchStack } from './bench-stack';
import type { ResultRow } from './report';
import { mb, megabytes } from './stats';

/** Issue 16. */
export const RSS_TARGET_MB = 80;

/**
 * Resident memory (VmRSS) of every service process, the gateway and the emulator, next to the
 * baseline process's, read while nothing is happening. `when` says which idle moment it is.
 */
export function idleMemory(bench: BenchStack, baseline: Baseline, when: string): ResultRow[] {
  const rssOf = (name: string) => {
    const pid = bench.stack.services[name as keyof typeof bench.stack.services]?.[0]?.pid;
    return pid === undefined ? undefined : residentMemoryKb(pid);
  };
  const services = SERVICES.map((service) => ({ service, kb: rssOf(service) }));
  const baselineKb = residentMemoryKb(baseline.pid);
  const largest = Math.max(...services.map(({ kb }) => (kb === undefined ? Infinity : megabytes(kb))));
  return [
    {
      measure: `6. Idle RSS per service, ${when}`,
      microtick: services.map(({ service, kb }) => `${service} ${mb(kb)}`).join(', '),
      baseline: mb(baselineKb),
      ratio: baselineKb ? largest / megabytes(baselineKb) : undefined,
      target: `≤ ${RSS_TARGET_MB} MB each`,
      met: largest <= RSS_TARGET_MB,
    },
    {
      measure: `6. Idle RSS of the local runner's other processes, ${when}`,
      microtick: `gateway ${mb(rssOf('gateway'))}, stripe-emulator ${mb(rssOf('stripe-emulator'))}`,
      baseline: '',
      target: '',
    },
  ];
}
