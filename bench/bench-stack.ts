import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_INFRA, namespaceNames, RAISED_ABUSE_LIMITS, REPO_ROOT, startStack, streamPosition, type EventFlow, type Stack } from '@microtick/local';
import pg from 'pg';
import { localNatsCredentials, natsAuthOptions } from '@microtick/common';
import type { CpuSources } from './cpu-usage';
import { signUpUsers, type Session } from './marketplace';

export const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output/bench');

const STACK_DATABASES = ['auth', 'tickets', 'orders', 'payments'] as const;
type StackDatabase = (typeof STACK_DATABASES)[number];

/** A running stack and direct access to its databases and NATS. */
export interface BenchStack {
  stack: Stack;
  db: Record<StackDatabase, pg.Pool>;
  nats: NatsConnection;
  logFile: string;
  /** Every process of the stack and the Postgres backends of its databases, for CPU accounting. */
  cpuSources: CpuSources;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  namespace: string;
  expirationWindowSeconds?: number;
  /** Added to every process's environment (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a whole MicroTick through the local runner (every service, the Stripe emulator and
 * the gateway, on free ports, in a namespace of its own that `stop` drops), API only. Sign-up
 * and order limits are lifted (RAISED_ABUSE_LIMITS): the bench acts from one address at machine speed.
 */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const logFile = path.join(OUTPUT_DIR, `${options.namespace}.log`);
  const log = createWriteStream(logFile);
  let stack: Stack;
  try {
    stack = await startStack({
      namespace: options.namespace,
      ephemeral: true,
      withClient: false,
      serviceEnv: RAISED_ABUSE_LIMITS,
      expirationWindowSeconds: options.expirationWindowSeconds,
      env: options.env,
      color: false,
      log: (line) => log.write(`${line}\n`),
    });
  } catch (err) {
    log.end();
    throw new Error(`${(err as Error).message}\n(full output: ${logFile})`);
  }
  const names = namespaceNames(options.namespace);
  const db = Object.fromEntries(
    STACK_DATABASES.map((service) => [service, new pg.Pool({ connectionString: `${DEFAULT_INFRA.postgres}/${names.database(service)}`, max: 4 })]),
  ) as Record<StackDatabase, pg.Pool>;
  const nats = await connect({ servers: DEFAULT_INFRA.nats, ...natsAuthOptions(localNatsCredentials('admin')) });
  const stop = async () => {
    // A NATS connection that cannot close (auth timeout on a saturated machine) must not keep the stack and its data alive.
    await nats.close().catch(() => undefined);
    await Promise.all(Object.values(db).map((pool) => pool.end()));
    await stack.stop();
    await new Promise((resolve) => log.end(resolve));
  };
  const cpuSources: CpuSources = {
    processes: () => new Map(Object.values(stack.services).flatMap((instances) => (instances ?? []).map((instance) => [instance.label, instance.pid] as const))),
    postgres: { label: 'postgres', pool: db.orders, databases: STACK_DATABASES.map((service) => names.database(service)) },
  };
  return { stack, db, nats, logFile, cpuSources, stop };
}

/** A stack with the users the scenarios act as. */
export interface Market extends BenchStack {
  /** Lists every ticket; never buys. */
  seller: Session;
  buyers: Session[];
}

/** Signs up a seller and `buyers` buyers. */
export async function openMarket(bench: BenchStack, buyers: number): Promise<Market> {
  const [seller, ...others] = await signUpUsers(bench.stack.url, buyers + 1);
  return { ...bench, seller: seller as Session, buyers: others };
}

/** The stack's events in flight, for `settled()` (every outbox and the stream's consumers). */
export function eventFlow(bench: BenchStack): EventFlow {
  const jsm = jetstreamManager(bench.nats);
  const stream = namespaceNames(bench.stack.namespace).stream;
  return {
    unpublished: async () => {
      const counts = await Promise.all(STACK_DATABASES.map(async (service) => (await bench.db[service].query<{ n: number }>('select count(*)::int as n from outbox')).rows[0]?.n ?? 0));
      return counts.reduce((a, b) => a + b, 0);
    },
    stream: async () => streamPosition(await jsm, stream),
  };
}

/** How long a bench waits at most for its events to settle. */
export const SETTLE_MS = 120_000;

/** The first replica of a service, bypassing the gateway. */
export const serviceUrl = (bench: BenchStack, service: 'tickets' | 'orders'): string => {
  const instance = bench.stack.services[service]?.[0];
  if (!instance) throw new Error(`no ${service} in this stack`);
  return instance.url;
};
