/**
 * Whole-system performance figures, each next to a baseline measured in the same run: a bare
 * Express 5 process doing the same single Postgres statement (baseline-server.ts). Everything
 * runs on loopback against a throw-away stack started by the local runner (startStack), and is
 * bounded in count and time; databases, streams and Redis keys are dropped at the end.
 *
 *   npm run bench:system [-- <scenario> …] [--orders 3000] [--rounds 3] [--cpu-prof]
 *
 * Scenarios (all by default): memory, event-lag, listing, orders, flash-sale, expiry.
 * --cpu-prof writes a V8 CPU profile per process (services, gateway, baseline) into
 * test-output/bench/profiles/<namespace>/, to open in Chrome DevTools or summarise with
 * `node bench/dist/cpu-profile-summary.js <file>`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { startBaseline, type Baseline } from './baseline';
import { openMarket, OUTPUT_DIR, startBenchStack, waitUntilSettled, type BenchStack } from './bench-stack';
import { markdownTable, type ResultRow } from './report';
import { eventLag } from './scenario-event-lag';
import { expiry } from './scenario-expiry';
import { flashSale, FLASH_SALE_BUYERS } from './scenario-flash-sale';
import { listing } from './scenario-listing';
import { idleMemory } from './scenario-memory';
import { placeOrders } from './scenario-orders';
import { ms, summarize } from './stats';

const SCENARIOS = ['memory', 'event-lag', 'listing', 'orders', 'flash-sale', 'expiry'] as const;
type Scenario = (typeof SCENARIOS)[number];
const isScenario = (name: string): name is Scenario => (SCENARIOS as readonly string[]).includes(name);

/** No run outlives this, whatever hangs. */
const RUN_LIMIT_MS = 20 * 60_000;
const IDLE_SECONDS = 5;
const CONNECTIONS = 50;
const EXPIRING_ORDERS = 1_000;
/** Long enough to place the 1,000 orders on a busy 2-core machine (about 60 orders/s there). */
const EXPIRATION_WINDOW_SECONDS = 30;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    orders: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const unknown = positionals.filter((name) => !isScenario(name));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const selected = new Set<Scenario>(positionals.length ? (positionals as Scenario[]) : SCENARIOS);
const namespace = `bench_${randomBytes(4).toString('hex')}`;
const profileDir = path.join(OUTPUT_DIR, 'profiles', namespace);

/** Undo steps, newest first; run on success, failure, Ctrl-C and the run limit alike. */
const cleanups: (() => Promise<void>)[] = [];
const cleanUp = async () => {
  for (const step of cleanups.splice(0).reverse()) await step().catch((err: unknown) => console.error('clean-up step failed:', err));
};

async function main(): Promise<ResultRow[]> {
  if (values['cpu-prof']) {
    mkdirSync(profileDir, { recursive: true });
    // Every process started from here on inherits this: the baseline, the services, the gateway.
    process.env.BENCH_CPU_PROFILE_DIR = profileDir;
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'cpu-profile-preload.js')}`.trim();
  }
  const rows: ResultRow[] = [];
  const step = (message: string) => console.log(`· ${message}`);

  step('starting the baseline server');
  const baseline = await startBaseline(namespace);
  cleanups.push(() => baseline.stop());
  processLabels.set(baseline.pid, `${namespace}-baseline`);
  wakeUps = await roundTrips(baseline.ordersDb);
  console.log(`  ${wakeUps}`);

  if (['memory', 'event-lag', 'listing', 'orders', 'flash-sale'].some((name) => selected.has(name as Scenario))) {
    step('starting a stack');
    const bench = await launchStack(`${namespace}`);
    if (selected.has('memory')) {
      await sleep(IDLE_SECONDS * 1000);
      rows.push(...idleMemory(bench, baseline, `${IDLE_SECONDS} s after start`));
    }
    const market = await openMarket(bench, FLASH_SALE_BUYERS / 10);
    if (selected.has('event-lag')) {
      step('3. event lag');
      rows.push(...(await eventLag(market, baseline, 200, 10)));
    }
    if (selected.has('listing')) {
      step('2. listing');
      rows.push(...(await listing(market, baseline, CONNECTIONS, 10)));
    }
    if (selected.has('orders')) {
      step('1. orders');
      rows.push(...(await placeOrders(market, baseline, Number(values.orders), CONNECTIONS)));
    }
    if (selected.has('flash-sale')) {
      step('4. flash sale');
      rows.push(...(await flashSale(market, baseline, Number(values.rounds))));
    }
    if (selected.has('memory') && selected.size > 1) {
      await waitUntilSettled(bench);
      await sleep(IDLE_SECONDS * 1000);
      rows.push(...idleMemory(bench, baseline, `${IDLE_SECONDS} s idle after the load above`));
    }
    await stopStack(bench);
  }

  if (selected.has('expiry')) {
    step(`5. expiry (a second stack with a ${EXPIRATION_WINDOW_SECONDS} s payment window)`);
    const bench = await launchStack(`${namespace}_x`, EXPIRATION_WINDOW_SECONDS);
    rows.push(...(await expiry(await openMarket(bench, 10), baseline, EXPIRING_ORDERS, EXPIRATION_WINDOW_SECONDS)));
    await stopStack(bench);
  }
  return rows;
}

async function launchStack(name: string, expirationWindowSeconds?: number): Promise<BenchStack> {
  const bench = await startBenchStack({ namespace: name, expirationWindowSeconds });
  cleanups.push(() => stopStack(bench));
  rememberLabels(bench);
  console.log(`  ${bench.stack.url} ready after ${(bench.stack.readyAfterMs / 1000).toFixed(1)} s; logs in ${path.relative(process.cwd(), bench.logFile)}`);
  return bench;
}

const stopped = new WeakSet<BenchStack>();
async function stopStack(bench: BenchStack): Promise<void> {
  if (stopped.has(bench)) return;
  stopped.add(bench);
  await bench.stop();
}

/** Which process each pid was, so that profiles can be named after them. */
const processLabels = new Map<number, string>();
const rememberLabels = (bench: BenchStack) => {
  for (const instances of Object.values(bench.stack.services)) {
    for (const instance of instances ?? []) if (instance.pid !== undefined) processLabels.set(instance.pid, `${bench.stack.namespace}-${instance.label}`);
  }
};

/** Renames each `<pid>.cpuprofile` after the process that wrote it. */
function nameProfiles(): void {
  for (const file of readdirSync(profileDir)) {
    const pid = Number(/^(\d+)\.cpuprofile$/.exec(file)?.[1]);
    const label = processLabels.get(pid);
    if (label) renameSync(path.join(profileDir, file), path.join(profileDir, `${label}.cpuprofile`));
  }
}

/**
 * How long one `select 1` takes back to back and when each comes after a pause: on a busy or
 * oversubscribed machine, waking a sleeping process (Postgres, a service) costs far more than
 * the work, and every hop of an event pays it.
 */
async function roundTrips(pool: pg.Pool): Promise<string> {
  const time = async (pauseMs: number) => {
    const samples: number[] = [];
    for (let i = 0; i < 100; i++) {
      if (pauseMs) await sleep(pauseMs);
      const startedAt = performance.now();
      await pool.query('select 1');
      samples.push(performance.now() - startedAt);
    }
    return summarize(samples).p50;
  };
  return `Postgres round trip p50: ${ms(await time(0))} back to back, ${ms(await time(20))} after a 20 ms pause`;
}

const machine = () => `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' / ')}`;

const onSignal = () => {
  console.error('interrupted: cleaning up');
  void cleanUp().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
const limit = setTimeout(() => {
  console.error(`the run passed ${RUN_LIMIT_MS / 60_000} minutes: stopping and cleaning up`);
  void cleanUp().finally(() => process.exit(1));
}, RUN_LIMIT_MS);

const startedOn = machine();
let wakeUps = '';
console.log(`MicroTick system benchmarks — ${new Date().toISOString()}\nbefore: ${startedOn}`);
main()
  .then(async (rows) => {
    await cleanUp();
    const table = markdownTable(rows);
    const report = `Command: npm run bench:system${positionals.length ? ` -- ${positionals.join(' ')}` : ''}\nbefore: ${startedOn}\nafter:  ${machine()}\n${wakeUps}\n\n${table}\n`;
    console.log(`\n${report}`);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(path.join(OUTPUT_DIR, `results-${namespace}.md`), report);
    if (values['cpu-prof']) {
      nameProfiles();
      console.log(`CPU profiles: ${path.relative(process.cwd(), profileDir)}`);
    }
    clearTimeout(limit);
    // A missed target is a finding, not a failure; a broken guarantee (the flash sale's one winner) is.
    process.exit(rows.every((row) => !row.guarantee || row.met) ? 0 : 1);
  })
  .catch(async (err: unknown) => {
    console.error(err);
    await cleanUp();
    process.exit(1);
  });
