import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadinessProbe } from './stack-plan';

/** One look: true when the probe's URL answers as it expects. Never throws. */
export async function isReady(probe: ReadinessProbe): Promise<boolean> {
  try {
    const response = await fetch(probe.url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
    await response.body?.cancel();
    return probe.expect === 'any' || response.status === 200;
  } catch {
    return false;
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Names what is awaited in the time-out error. */
  what: string;
  intervalMs?: number;
  /** Stops polling (e.g. the process died meanwhile). */
  signal?: AbortSignal;
}

/** Polls until the probe passes; rejects after `timeoutMs` naming what it waited for. */
export async function waitUntilReady(probe: ReadinessProbe, { timeoutMs, what, intervalMs = 100, signal }: WaitOptions): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady(probe))) {
    signal?.throwIfAborted();
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${Math.round(timeoutMs / 1000)} s (${probe.url})`);
    await sleep(intervalMs);
  }
}
