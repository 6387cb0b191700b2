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

/** Batches fired per size, alternating between the sizes, so that both see the same machine. */
const ROUNDS = 3;
/** How long a batch waits for a background save or AOF rewrite of the shared Redis to finish. */
const PERSISTENCE_WAIT_MS = 60_000;

interface Armed {
  pending: number;
  queue: ExpirationQueue;
  prefix: string;
  bytesPer1k: number;
  armSeconds: number;
  /** What the shared Redis's persistence did while these timers were armed. */
  persistence: string;
  batches: { lateness: Summary; persistence: string }[];
}

/**
 * Pending expiration timers at two sizes, with the expiration service's own queue code
 * (createExpirationQueue / addExpirationJob: the same BullMQ delayed jobs, job options and key
 * layout as the service) on the shared Redis under a prefix of this run, obliterated at the end.
 * For each size: Redis `used_memory` before and after arming the pending timers (an hour away).
 * Then, with both sizes pending, batches of 1,000 timers due in a few seconds, alternating
 * between the sizes (ROUNDS each), each fired by a BullMQ worker with the service's
 * concurrency; lateness = when the worker ran the job − its expiresAt. The worker records the
 * time instead of publishing `expiration:complete`, so this is the timer machinery alone; the
 * whole path (publish, orders, tickets) is the `expiry` scenario.
 *
 * The shared Redis runs with appendonly and RDB saves: arming 100,000 timers is enough to start
 * a background save or an AOF rewrite (a fork, and a child competing for the 2 cores), which is
 * not the queue's doing. So each batch starts once no save or rewrite is under way (waiting at
 * most a minute), and `INFO persistence` is recorded around arming and around every batch: a
 * save that still overlapped a batch is named next to its figure. The size's lateness is the
 * median of its batches' p99s. The memory delta carries the noise of other runs on the same
 * Redis: it is stated per 1,000 timers from the 100,000 run, where ours dominates.
 */
export async function timersGrowth(namespace: string): Promise<ResultRow[]> {
  const credentials = localRedisCredentials('admin');
  const redis = new Redis(DEFAULT_INFRA.redis, { maxRetriesPerRequest: null, username: credentials?.user, password: credentials?.password });
  const armed: Armed[] = [];
  try {
    for (const pending of [FEW, MANY]) {
      const prefix = `${namespace}_timers_${pending}`;
      const queue = createExpirationQueue(redis, prefix);
      const size: Armed = { pending, queue, prefix, bytesPer1k: 0, armSeconds: 0, persistence: '', batches: [] };
      armed.push(size);
      const persistenceBefore = await persistence(redis);
      const before = await usedMemory(redis);
      const armedAt = performance.now();
      await arm(queue, pending, 3600_000);
      size.armSeconds = (performance.now() - armedAt) / 1000;
      const after = await usedMemory(redis);
      size.bytesPer1k = ((after - before) / pending) * 1000;
      size.persistence = persistenceActivity(persistenceBefore, await persistence(redis));
      console.log(`  timers: ${pending} pending armed in ${size.armSeconds.toFixed(1)} s, +${((after - before) / 1e6).toFixed(1)} MB; persistence meanwhile: ${size.persistence}`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const size of armed) {
        const waitedMs = await persistenceIdle(redis);
        const before = await persistence(redis);
        const lateness = await fireBatch(redis, size.queue, size.prefix);
        const during = persistenceActivity(before, await persistence(redis));
        size.batches.push({ lateness, persistence: during });
        console.log(`  timers: round ${round}, ${size.pending} pending: batch lateness p50/p99 ${p50p99(lateness)} (waited ${ms(waitedMs)} for persistence; during the batch: ${during})`);
      }
    }
  } finally {
    for (const { queue } of armed) {
      await queue.obliterate({ force: true, count: 5_000 });
      await queue.close();
    }
    redis.disconnect();
  }
  const [few, many] = armed as [Armed, Armed];
  const p99Of = (size: Armed) => median(size.batches.map((b) => b.lateness.p99));
  const batchesText = (size: Armed) =>
    size.batches.map((b) => `${p50p99(b.lateness)}${b.persistence === 'idle' ? '' : ` (${b.persistence})`}`).join('; ');
  const ratio = p99Of(many) / p99Of(few);
  return [
    {
      measure: `7. Redis memory per 1,000 pending expiration timers (used_memory delta)`,
      microtick: `${(many.bytesPer1k / 1e6).toFixed(2)} MB per 1k with ${MANY.toLocaleString('en-US')} pending (armed in ${many.armSeconds.toFixed(0)} s; persistence meanwhile: ${many.persistence})`,
      baseline: `${(few.bytesPer1k / 1e6).toFixed(2)} MB per 1k with ${FEW.toLocaleString('en-US')}`,
      ratio: many.bytesPer1k / few.bytesPer1k,
      target: 'linear (stated per 1k)',
    },
    {
      measure: `7. Lateness of ${DUE_BATCH.toLocaleString('en-US')} timers falling due at once, median of ${ROUNDS} batches' p99 (alternating sizes): with ${MANY.toLocaleString('en-US')} pending vs ${FEW.toLocaleString('en-US')}`,
      microtick: `${ms(p99Of(many))}; batches p50 / p99: ${batchesText(many)}`,
      baseline: `${ms(p99Of(few))} (with ${FEW.toLocaleString('en-US')}); batches: ${batchesText(few)}`,
      ratio,
      target: `p99 ≤ ${TIMER_LATENESS_TARGET_RATIO}× the 1,000 figure`,
      met: ratio <= TIMER_LATENESS_TARGET_RATIO,
    },
  ];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The fields of `INFO persistence` that say whether a save or rewrite ran. */
type Persistence = Record<'rdb_bgsave_in_progress' | 'aof_rewrite_in_progress' | 'rdb_saves' | 'aof_rewrites', number>;

async function persistence(redis: Redis): Promise<Persistence> {
  const info = await redis.info('persistence');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return {
    rdb_bgsave_in_progress: field('rdb_bgsave_in_progress'),
    aof_rewrite_in_progress: field('aof_rewrite_in_progress'),
    rdb_saves: field('rdb_saves'),
    aof_rewrites: field('aof_rewrites'),
  };
}

/** "idle", or which saves / rewrites started, ran or finished between two readings. */
function persistenceActivity(before: Persistence, after: Persistence): string {
  const parts: string[] = [];
  const saves = after.rdb_saves - before.rdb_saves;
  const rewrites = after.aof_rewrites - before.aof_rewrites;
  if (saves > 0) parts.push(`${saves} RDB save${saves > 1 ? 's' : ''}`);
  if (rewrites > 0) parts.push(`${rewrites} AOF rewrite${rewrites > 1 ? 's' : ''}`);
  if (before.rdb_bgsave_in_progress || after.rdb_bgsave_in_progress) parts.push('RDB save in progress');
  if (before.aof_rewrite_in_progress || after.aof_rewrite_in_progress) parts.push('AOF rewrite in progress');
  return parts.length ? parts.join(', ') : 'idle';
}

/** Waits (at most PERSISTENCE_WAIT_MS) until no background save or AOF rewrite is under way; returns how long. */
async function persistenceIdle(redis: Redis): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    const state = await persistence(redis);
    if ((!state.rdb_bgsave_in_progress && !state.aof_rewrite_in_progress) || Date.now() - startedAt > PERSISTENCE_WAIT_MS) return Date.now() - startedAt;
    await sleep(200);
  }
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
