/**
 * Production's event bus on one machine: three nats-servers clustered on loopback, the stream
 * MICROTICK_<namespace> with three replicas, and every service given all
 * three URLs. Shoppers run purchase flows while the stream's leader is killed with SIGKILL (one
 * node down: everything goes on), restarted, and later two nodes are down at once (no quorum:
 * publishing stops and the outboxes hold their rows) before both come back.
 *
 * Afterwards the records of every service, Redis and Stripe must agree (support/consistency.ts):
 * nothing lost, nothing applied twice, no double charge.
 *
 * NATS_CLUSTER_LOAD_MS sets how long the load runs (default 30 s).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectEventBus, natsServers } from '@microtick/common';
import { silentLogger, waitFor } from '@microtick/common/testing';
import { DEFAULT_INFRA, REPO_ROOT } from '../infra/local/src/stack';
import { namespaceNames } from '../infra/local/src/stack-plan';
import { PrivateNatsCluster } from './support/private-nats-cluster';
import { countOutcomes, settleAndCheck, shopUntil } from './support/purchase-run';
import { BusProbe, unreadyServices } from './support/settle';
import { newRetryStats, purchase, Shopper, type Purchase } from './support/shopper';
import { StackDatabases } from './support/stack-databases';
import { newTestNamespace, type TestStack, useTestStack } from './support/test-stack';

const LOAD_MS = Number(process.env.NATS_CLUSTER_LOAD_MS ?? 30_000);
const REPLICAS = 3;
/**
 * Longer than the chaos test's 10 s: while two nodes are down nothing is published, and payments
 * close only 5 s before expiresAt, so with a 10 s window most payments would meet their order's
 * expiration after the outage (orders then cancels and payments voids: consistent by design, but
 * few purchases would complete). Shoppers pay right after ordering; 30 s keeps every payment far
 * from the deadline, so the run completes purchases while the bus fails.
 */
const WINDOW_SECONDS = 30;

let natsLog: WriteStream;
let cluster: PrivateNatsCluster;
let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;
let stream: string;
let namespace: string;

beforeAll(async () => {
  // A payment attempt cut off by a failure is settled once its lease lapses (Stripe timeout ×
  // (retries + 1) + 15 s): keep that short, so the system settles in bounds.
  process.env.STRIPE_TIMEOUT_MS = '2000';
  process.env.STRIPE_MAX_NETWORK_RETRIES = '1';
  const dir = path.join(REPO_ROOT, 'test-output/system-tests');
  mkdirSync(dir, { recursive: true });
  natsLog = createWriteStream(path.join(dir, `nats-cluster-${process.pid}.log`));
  // A node killed earlier in the file may still flush a line after the log is closed: dropped.
  cluster = await PrivateNatsCluster.start((line) => {
    if (!natsLog.writableEnded) natsLog.write(`${line}\n`);
  });
  // The stream is created once, with three replicas, before the services start (as an operator's
  // admin identity does in production); five services racing to create an R3 stream can outlast
  // JetStream's API timeout on a busy machine.
  namespace = newTestNamespace();
  stream = namespaceNames(namespace).stream;
  const admin = await connectEventBus({ url: cluster.url, stream, subjectPrefix: namespaceNames(namespace).subjectPrefix, replicas: REPLICAS, name: 'nats-cluster-test', logger: silentLogger });
  await admin.close();
}, 90_000);

useTestStack(
  () => ({ namespace, expirationWindowSeconds: WINDOW_SECONDS, natsStreamReplicas: REPLICAS, infra: { ...DEFAULT_INFRA, nats: cluster.url } }),
  (running) => ({ stack, databases, bus } = running),
  {
    afterStop: async () => {
      await cluster?.stop();
      natsLog?.end();
    },
    startTimeoutMs: 120_000,
    stopTimeoutMs: 90_000,
  },
);

it('the stream keeps three replicas, one per node', async () => {
  const nc = await connect({ servers: natsServers(cluster.url) });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    expect(info.config.num_replicas).toBe(REPLICAS);
    expect([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)].sort()).toEqual(cluster.names);
  } finally {
    await nc.close();
  }
});

it('loses nothing and applies nothing twice while the stream leader, then two nodes at once, are killed', async () => {
  const startedAt = Date.now();
  const loadEndsAt = startedAt + LOAD_MS;
  const events: string[] = [];
  const at = (fraction: number) => sleep(Math.max(0, startedAt + LOAD_MS * fraction - Date.now()));

  const probeStats = newRetryStats();
  const [prober, probeBuyer] = await Promise.all([1, 2].map(() => Shopper.join(stack.url, probeStats, Date.now() + 30_000))) as [Shopper, Shopper];
  let probe: Purchase | undefined;
  let probeRanWhileDown = false;
  const failures = (async () => {
    // One node down: the leader. A new one is elected among the two left; nothing stops.
    await at(0.2);
    const firstLeader = await cluster.streamLeader(stream);
    await cluster.kill(firstLeader);
    events.push(`killed ${firstLeader} (stream leader)`);
    const newLeader = await cluster.streamLeader(stream);
    events.push(`${newLeader} leads`);
    // With the node still down, a whole listing → order → cancel round trip goes through the bus.
    const probeStartedAt = Date.now();
    probe = await purchase(prober, probeBuyer, 'cancel', Date.now() + 30_000);
    events.push(`a purchase took ${((Date.now() - probeStartedAt) / 1000).toFixed(1)} s with ${firstLeader} down`);
    probeRanWhileDown = !cluster.isUp(firstLeader);
    await at(0.35);
    cluster.restart(firstLeader);
    events.push(`restarted ${firstLeader}`);

    // Two nodes down: no quorum. Publishes fail and the outboxes keep their rows until one is back.
    await at(0.55);
    const [second, third] = cluster.names.filter((name) => name !== firstLeader) as [string, string];
    await cluster.kill(second);
    await cluster.kill(third);
    events.push(`killed ${second} and ${third} (no quorum)`);
    await at(0.7);
    cluster.restart(second);
    cluster.restart(third);
    events.push(`restarted ${second} and ${third}`);
    await cluster.streamLeader(stream);
  })();

  const [run] = await Promise.all([
    shopUntil(stack, { shoppers: 5, until: loadEndsAt, seed: 1_717, plans: [['pay', 5], ['decline, then pay', 1], ['cancel', 2], ['let expire', 2]], purchaseBudgetMs: 60_000 }),
    failures,
  ]);
  const loadDoneAt = Date.now();
  const { state, problems } = await settleAndCheck(stack, databases, bus, run, 90_000);
  console.log(
    [
      `NATS cluster run (${LOAD_MS / 1000} s of load): ${events.join('; ')}`,
      `  purchases: ${run.purchases.length} (${countOutcomes(run.purchases)}); requests ${run.stats.requests}, resent: ${JSON.stringify(run.stats.retried)}`,
      `  orders: ${state.orders.length}; Stripe charges: ${state.charges.length}; settled ${((Date.now() - loadDoneAt) / 1000).toFixed(1)} s after the load`,
    ].join('\n'),
  );

  expect(problems).toEqual([]);
  // One node down changes nothing for the services: they moved to the other two.
  expect(probe).toMatchObject({ outcome: 'cancelled', oddities: [] });
  expect(probeRanWhileDown).toBe(true);
  expect(run.purchases.filter((p) => p.outcome === 'authorized').length).toBeGreaterThan(0);
  expect(await unreadyServices(stack)).toEqual([]);
  // Every node is back and holds the stream again.
  await waitFor(async () => cluster.names.every((name) => cluster.isUp(name)), { what: 'every node up' });
}, LOAD_MS + 240_000);
