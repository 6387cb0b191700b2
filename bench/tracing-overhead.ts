/**
 * What tracing costs: CPU time per request with tracing off (the local default: nothing is
 * registered) and on (every span exported over OTLP/HTTP to a receiver on loopback), on two
 * routes of the tickets service, hit directly (no gateway):
 *   - GET /api/tickets: a read (server span, route handler span, pool and query spans);
 *   - POST /api/tickets: a write, the same plus the outbox row, the relay's publish span and
 *     orders' consumer span for ticket:created (its CPU counted in the "all processes" figure).
 * Two stacks run side by side and the rounds alternate between them, so the machine's other
 * load drifts over both alike; the figure per mode is the median of the rounds.
 *
 *   npm run bench:tracing [-- --rounds 3 --seconds 8 --writes 600 --sampler always_off]
 *
 * `--sampler` sets OTEL_TRACES_SAMPLER on the traced stack: `always_off` keeps the
 * instrumentation and context propagation but records and exports nothing, which separates
 * what context tracking costs from what recording and exporting spans cost.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startOtlpReceiver, type OtlpReceiver } from '@microtick/common/testing';
import { settled } from '@microtick/local';
import { openMarket, serviceUrl, startBenchStack, eventFlow, SETTLE_MS, type Market } from './bench-stack';
import { meterCpu } from './cpu-usage';
import { runLoad, type LoadResult } from './load';
import { createTickets } from './marketplace';
import { summarize } from './stats';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    writes: { type: 'string', default: '600' },
    connections: { type: 'string', default: '10' },
    sampler: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const writes = Number(values.writes);
const connections = Number(values.connections);

type Mode = 'off' | 'on';
interface Sample {
  /** CPU ms per request: the tickets process, and every process plus Postgres backends. */
  tickets: number;
  all: number;
  spansPerRequest?: number;
  throughput: number;
}

async function measure(market: Market, receiver: OtlpReceiver | undefined, load: () => Promise<LoadResult>, settle: boolean): Promise<Sample> {
  const spansBefore = receiver?.spans.length ?? 0;
  const meter = await meterCpu(market.cpuSources);
  const result = await load();
  if (settle) await settled(eventFlow(market), SETTLE_MS);
  // Spans are exported in batches every 5 s: wait for the last one before counting (in both
  // modes, so the idle CPU of the wait weighs the same on both).
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const used = await meter.stop();
  const total = [...used.values()].reduce((a, b) => a + b, 0);
  const ok = result.latenciesByStatus.get(200)?.length ?? result.latenciesByStatus.get(201)?.length ?? 0;
  if (ok !== result.responses || result.errors) throw new Error(`unexpected answers: ${[...result.latenciesByStatus].map(([s, l]) => `${s}×${l.length}`).join(', ')}, ${result.errors} errors`);
  return {
    tickets: (used.get('tickets') ?? 0) / result.responses,
    all: total / result.responses,
    spansPerRequest: receiver ? (receiver.spans.length - spansBefore) / result.responses : undefined,
    throughput: result.throughput,
  };
}

async function main(): Promise<void> {
  const receiver = await startOtlpReceiver();
  const run = randomBytes(3).toString('hex');
  const markets: Record<Mode, Market> = {
    off: await openMarket(await startBenchStack({ namespace: `bench_trace_off_${run}` }), 0),
    on: await openMarket(await startBenchStack({ namespace: `bench_trace_on_${run}`, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...(values.sampler && { OTEL_TRACES_SAMPLER: values.sampler }) } }), 0),
  };
  try {
    const samples: Record<string, Sample[]> = {};
    const add = (key: string, sample: Sample) => (samples[key] ??= []).push(sample);
    for (const mode of ['off', 'on'] as const) {
      // Something to list, and a warm-up of both routes.
      await createTickets(markets[mode].stack.url, markets[mode].seller, 200);
      await runLoad({ url: `${serviceUrl(markets[mode], 'tickets')}/api/tickets`, connections, seconds: 2, maxSeconds: 10 });
    }
    for (let round = 1; round <= rounds; round++) {
      for (const mode of ['off', 'on'] as const) {
        const market = markets[mode];
        const tracing = mode === 'on' ? receiver : undefined;
        const url = `${serviceUrl(market, 'tickets')}/api/tickets`;
        add(`GET /api/tickets, tracing ${mode}`, await measure(market, tracing, () => runLoad({ url, connections, seconds, maxSeconds: seconds + 10 }), false));
        const post = () =>
          runLoad({
            url,
            method: 'POST',
            connections,
            amount: writes,
            maxSeconds: 120,
            request: (index) => ({ headers: { 'content-type': 'application/json', cookie: market.seller.cookie }, body: JSON.stringify({ title: `Traced ${round}-${index}`, price: 12.5 }) }),
          });
        add(`POST /api/tickets, tracing ${mode}`, await measure(market, tracing, post, true));
        console.log(`round ${round}, tracing ${mode}: done`);
      }
    }
    console.log(`\n${rounds} rounds (median), ${connections} connections; CPU ms per request${values.sampler ? `; traced stack: OTEL_TRACES_SAMPLER=${values.sampler}` : ''}\n`);
    console.log('| requests | tickets process | all processes + Postgres | spans per request | throughput (req/s) |');
    console.log('|---|---|---|---|---|');
    for (const [key, list] of Object.entries(samples)) {
      const median = (pick: (s: Sample) => number) => summarize(list.map(pick)).p50;
      const spans = list[0]?.spansPerRequest === undefined ? '–' : median((s) => s.spansPerRequest ?? 0).toFixed(1);
      console.log(`| ${key} | ${median((s) => s.tickets).toFixed(2)} | ${median((s) => s.all).toFixed(2)} | ${spans} | ${Math.round(median((s) => s.throughput))} |`);
    }
  } finally {
    await Promise.all(Object.values(markets).map((market) => market.stop()));
    await receiver.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
