import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { localRedisCredentials } from '@microtick/common';
import { addExpirationJob, createExpirationQueue, EXPIRATION_QUEUE, type ExpirationJob, type ExpirationQueue } from '@microtick/expiration/dist/expiration/expiration-queue';
import { DEFAULT_INFRA } from '@microtick/local';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ResultRow } from './report';
import { ms, p50p99, summarize, type Summary } from './stats';

export const TIMER_LATENESS_TARGET_RATIO = 1.2;
const FEW = 1_000;
const MANY = 100_000;
/** Timers falling due together while the others wait, as when a batch of orders lapses at once. */
const DUE_BATCH = 1_000;
/** Adds in flight at once (ioredis pipelines them on one connection). */
const ADD_CONCURRENCY = 500;
/** The expiration worker's own concurrency (expiration.worker.ts). */
const WORKER_CONCURRENCY = 50;

/**
 * Pending expiration timers at two sizes, with the expiration service's own queue code
 * (createExpirationQueue / addExpirationJob: the same BullMQ delayed jobs, job options and key
 * layout as the service) on the shared Redis under a prefix of this run, obliterated at the end.
 * For each size: Redis `used_memory` before and after arming the pending timers (an hour away),
 * then a batch of 1,000 timers due in a few seconds, fired by a BullMQ worker with the service's
 * concurrency; lateness = when the worker ran the job − its expiresAt. The worker records the
 * time instead of publishing `expiration:complete`, so this is the timer machinery alone; the
 * whole path (publish, orders, tickets) is the `expiry` scenario. The shared Redis serves other
 * runs too, so the memory delta carries their noise: it is stated per 1,000 timers from the
 * 100,000 run, where ours dominates.
 */
export async function timersGrowth(namespace: string): Promise<ResultRow[]> {
  const credentials = localRedisCredentials('admin');
  const redis = new Redis(DEFAULT_INFRA.redis, { maxRetriesPerRequest: null, username: credentials?.user, password: credentials?.password });
  const results: { pending: number; bytesPer1k: number; lateness: Summary; armSeconds: number }[] = [];
  try {
    for (const pending of [FEW, MANY]) {
      const prefix = `${namespace}_timers_${pending}`;
      const queue = createExpirationQueue(redis, prefix);
      try {
        const before = await usedMemory(redis);
        const armedAt = performance.now();
        await arm(queue, pending, 3600_000);
        const armSeconds = (performance.now() - armedAt) / 1000;
        const after = await usedMemory(redis);
        const lateness = await fireBatch(redis, queue, prefix);
        results.push({ pending, bytesPer1k: ((after - before) / pending) * 1000, lateness, armSeconds });
        console.log(`  timers: ${pending} pending armed in ${armSeconds.toFixed(1)} s, +${((after - before) / 1e6).toFixed(1)} MB; batch lateness p50/p99 ${p50p99(lateness)}`);
      } finally {
        await queue.obliterate({ force: true, count: 5_000 });
        await queue.close();
      }
    }
  } finally {
    redis.disconnect();
  }
  const [few, many] = results as [(typeof results)[0], (typeof results)[0]];
  const ratio = many.lateness.p99 / few.lateness.p99;
  return [
    {
      measure: `7. Redis memory per 1,000 pending expiration timers (used_memory delta)`,
      microtick: `${(many.bytesPer1k / 1e6).toFixed(2)} MB per 1k with ${MANY.toLocaleString('en-US')} pending (armed in ${many.armSeconds.toFixed(0)} s)`,
      baseline: `${(few.bytesPer1k / 1e6).toFixed(2)} MB per 1k with ${FEW.toLocaleString('en-US')}`,
      ratio: many.bytesPer1k / few.bytesPer1k,
      target: 'linear (stated per 1k)',
    },
    {
      measure: `7. Lateness of ${DUE_BATCH.toLocaleString('en-US')} timers falling due at once, p50 / p99: with ${MANY.toLocaleString('en-US')} pending vs ${FEW.toLocaleString('en-US')}`,
      microtick: p50p99(many.lateness),
      baseline: `${p50p99(few.lateness)} (with ${FEW.toLocaleString('en-US')})`,
      ratio,
      target: `p99 ≤ ${TIMER_LATENESS_TARGET_RATIO}× the 1,000 figure`,
      met: ratio <= TIMER_LATENESS_TARGET_RATIO,
    },
  ];
}

const usedMemory = async (redis: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);

/** `count` timers due `inMs` from now, ADD_CONCURRENCY adds in flight. */
async function arm(queue: ExpirationQueue, count: number, inMs: number): Promise<ExpirationJob[]> {
  const jobs: ExpirationJob[] = [];
  const expiresAt = new Date(Date.now() + inMs).toISOString();
  let next = 0;
  const adder = async () => {
    while (next < count) {
      next++;
      const job = { orderId: randomUUID(), expiresAt };
      jobs.push(job);
      await addExpirationJob(queue, job);
    }
  };
  await Promise.all(Array.from({ length: ADD_CONCURRENCY }, adder));
  return jobs;
}

/** Arms DUE_BATCH timers due in 3 s (after arming them), runs a worker until all fired, and returns their lateness (ms). */
async function fireBatch(redis: Redis, queue: ExpirationQueue, prefix: string): Promise<Summary> {
  const lateness: number[] = [];
  const worker = new Worker<ExpirationJob, void>(
    EXPIRATION_QUEUE,
    async (job) => {
      lateness.push(Date.now() - Date.parse(job.data.expiresAt));
    },
    { connection: redis, prefix, concurrency: WORKER_CONCURRENCY },
  );
  try {
    await worker.waitUntilReady();
    // Far enough ahead that arming 1,000 on a busy machine finishes before the first is due.
    await arm(queue, DUE_BATCH, 5_000);
    const deadline = Date.now() + 60_000;
    while (lateness.length < DUE_BATCH && Date.now() < deadline) await sleep(50);
    if (lateness.length < DUE_BATCH) throw new Error(`only ${lateness.length} of ${DUE_BATCH} timers fired within a minute (worst so far ${ms(Math.max(...lateness))})`);
    return summarize(lateness);
  } finally {
    await worker.close();
  }
}
