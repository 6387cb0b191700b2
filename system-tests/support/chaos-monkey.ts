import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import type { Stack } from '../../infra/local/src/stack';
import { SERVICES } from '../../infra/local/src/stack-plan';
import type { PrivateNats } from './private-nats';
import type { SeededRandom } from './seeded-random';

export interface ChaosOptions {
  stack: Stack;
  nats: PrivateNats;
  random: SeededRandom;
  /** No new blow after this time (epoch ms). */
  until: number;
  /** Pause between blows, drawn from [min, max] ms. */
  pauseMs: readonly [number, number];
  /** How long a killed process stays down before it is restarted, from [0, max] ms. */
  maxDowntimeMs: number;
  /** The one NATS crash happens at the first blow after this time. */
  natsCrashAt: number;
  natsDowntimeMs: number;
}

/** Every blow struck, for the test's summary. */
export interface ChaosLog {
  kills: string[];
  natsCrashes: number;
  /** Restarts that did not come up at the first try (the runner's supervisor brought them back). */
  slowRestarts: string[];
}

const READY_AGAIN_MS = 60_000;

/**
 * Until `until`: every few seconds SIGKILLs one random service process and restarts it through
 * the stack's API, and once crashes the stack's private nats-server and starts it again.
 * Blows are never concurrent; the last one is always followed by a restart.
 */
export async function unleashChaos(options: ChaosOptions): Promise<ChaosLog> {
  const { stack, nats, random } = options;
  const targets = SERVICES.flatMap((service) => stack.services[service] ?? []);
  const log: ChaosLog = { kills: [], natsCrashes: 0, slowRestarts: [] };
  while (Date.now() < options.until) {
    await sleep(random.int(...options.pauseMs));
    if (!log.natsCrashes && Date.now() >= options.natsCrashAt) {
      await nats.crashAndRestart(options.natsDowntimeMs);
      log.natsCrashes++;
      continue;
    }
    const target = random.pick(targets);
    await stack.kill(target.name, target.replica, 'SIGKILL');
    log.kills.push(target.label);
    await sleep(random.int(0, options.maxDowntimeMs));
    try {
      await stack.restart(target.name, target.replica);
    } catch {
      // It died while starting (e.g. NATS was still coming back); the runner restarts it with backoff.
      log.slowRestarts.push(target.label);
      await waitFor(async () => target.pid !== undefined && (await isReady(target.url)), { timeoutMs: READY_AGAIN_MS, intervalMs: 250, what: `${target.label} to be ready again` });
    }
  }
  if (!log.natsCrashes) {
    await nats.crashAndRestart(options.natsDowntimeMs);
    log.natsCrashes++;
  }
  return log;
}

async function isReady(url: string): Promise<boolean> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status === 200;
}
