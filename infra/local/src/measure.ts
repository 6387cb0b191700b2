/**
 * `node infra/local/dist/measure.js`: starts a throw-away stack on free ports (same code path
 * as `npm start`), reports how long it took to become ready and, after IDLE_SECONDS (10) of
 * idling, each process's resident memory (VmRSS, with anything it forked). WITH_CLIENT=0 leaves the web client out;
 * REPLICAS works as for `npm start`.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupResidentMemory } from './measure-memory';
import { parseReplicas } from './replicas-env';
import { startStack } from './stack';

async function main(): Promise<void> {
  const idleSeconds = Number(process.env.IDLE_SECONDS ?? 10);
  const withClient = process.env.WITH_CLIENT !== '0';
  const output: string[] = [];
  const stack = await startStack({
    namespace: `measure_${randomBytes(4).toString('hex')}`,
    ephemeral: true,
    withClient,
    replicas: parseReplicas(process.env.REPLICAS),
    log: (line) => output.push(line),
    color: false,
  });
  try {
    console.log(`ready after ${(stack.readyAfterMs / 1000).toFixed(2)} s (${stack.url}); idling ${idleSeconds} s…`);
    await sleep(idleSeconds * 1000);
    let totalKb = 0;
    console.log('process             pid  processes    idle RSS');
    for (const instances of Object.values(stack.services)) {
      for (const instance of instances ?? []) {
        const memory = instance.pid === undefined ? undefined : groupResidentMemory(instance.pid);
        totalKb += memory?.kb ?? 0;
        const rss = memory ? `${(memory.kb / 1024).toFixed(1)} MiB` : '-';
        console.log(`${instance.label.padEnd(16)} ${String(instance.pid ?? '-').padStart(7)} ${String(memory?.processes ?? '-').padStart(10)} ${rss.padStart(11)}`);
      }
    }
    console.log(`${'total'.padEnd(35)} ${`${(totalKb / 1024).toFixed(1)} MiB`.padStart(11)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
