import { readFileSync } from 'node:fs';

/** A process's resident set size (VmRSS) in kB, from /proc; undefined when it is gone. */
export function residentMemoryKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
