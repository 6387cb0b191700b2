import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type pg from 'pg';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU time (user + system, all threads) a process has used so far, in ms; undefined when it is gone. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')': utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** Where to look for processes: named pids, and the Postgres backends serving some databases. */
export interface CpuSources {
  processes: () => Map<string, number | undefined>;
  /** Label → a pool on one of the databases, and every database whose backends count under that label. */
  postgres?: { label: string; pool: pg.Pool; databases: string[] };
}

type Snapshot = Map<string, number>;

async function snapshot(sources: CpuSources): Promise<Snapshot> {
  const byPid = new Map<number, string>();
  for (const [label, pid] of sources.processes()) if (pid !== undefined) byPid.set(pid, label);
  if (sources.postgres) {
    const { rows } = await sources.postgres.pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = any($1)', [sources.postgres.databases]);
    for (const { pid } of rows) byPid.set(pid, `${sources.postgres.label}#${pid}`);
  }
  const cpu = new Map<string, number>();
  for (const [pid, label] of byPid) {
    const ms = cpuMsOf(pid);
    if (ms !== undefined) cpu.set(label, ms);
  }
  return cpu;
}

/**
 * Measures the CPU time each process (and, summed, the Postgres backends of the given
 * databases) uses between `start` and `stop`. Processes that appear meanwhile count from zero.
 */
export async function meterCpu(sources: CpuSources): Promise<{ stop(): Promise<Map<string, number>> }> {
  const before = await snapshot(sources);
  return {
    stop: async () => {
      const after = await snapshot(sources);
      const used = new Map<string, number>();
      for (const [label, ms] of after) {
        const name = label.replace(/#\d+$/, '');
        used.set(name, (used.get(name) ?? 0) + ms - (before.get(label) ?? 0));
      }
      return used;
    },
  };
}

/** "orders 6.1 + tickets 4.0 + … = 18.3 ms": CPU per request, largest first. */
export function cpuPerRequest(used: Map<string, number>, requests: number): { total: number; text: string } {
  const parts = [...used].map(([label, ms]) => [label, ms / requests] as const).filter(([, ms]) => ms >= 0.05).sort((a, b) => b[1] - a[1]);
  const total = parts.reduce((sum, [, ms]) => sum + ms, 0);
  return { total, text: `${parts.map(([label, ms]) => `${label} ${ms.toFixed(1)}`).join(' + ')} = ${total.toFixed(1)} ms` };
}
