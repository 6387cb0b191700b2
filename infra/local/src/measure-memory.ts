import { readdirSync, readFileSync } from 'node:fs';

/** A process's resident set size (VmRSS) in kB, from /proc; undefined when it is gone. */
export function residentMemoryKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resident memory of a whole process group (a child of the runner and anything it forked, e.g.
 * Next's server workers), with how many processes it has.
 */
export function groupResidentMemory(pgid: number): { kb: number; processes: number } {
  let kb = 0;
  let processes = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may contain spaces) start at the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp !== pgid) continue;
      kb += residentMemoryKb(Number(entry)) ?? 0;
      processes++;
    } catch {
      // exited while we looked
    }
  }
  return { kb, processes };
}
