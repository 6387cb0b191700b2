import autocannon from 'autocannon';
import { summarize, type Summary } from './stats';

export interface LoadOptions {
  /** Full URL, path included; loopback only. */
  url: string;
  method?: 'GET' | 'POST';
  connections: number;
  /** Requests in all (e.g. one per prepared ticket). Without it the load lasts `seconds`. */
  amount?: number;
  seconds?: number;
  /** Hard stop, whatever `amount` says: no run outlives it. */
  maxSeconds: number;
  /** Requests per second over all connections; unset = as fast as answers come. */
  overallRate?: number;
  /** What the n-th request (0-based) changes: e.g. a fresh ticket id and a buyer's cookie. */
  request?: (index: number) => { path?: string; headers?: Record<string, string>; body?: string };
  /** Each response with the index of its request; makes autocannon keep response bodies. */
  onResponse?: (index: number, status: number, body: string) => void;
}

export interface LoadResult {
  responses: number;
  /** Responses per second, from the first request to the last answer. */
  throughput: number;
  latency: Summary;
  /** Latencies (ms) by HTTP status. */
  latenciesByStatus: Map<number, number[]>;
  /** Connection errors and time-outs. */
  errors: number;
  seconds: number;
  /** True when `maxSeconds` cut the run short. */
  cutShort: boolean;
}

/** Runs autocannon against `url`, bounded in count and time, recording every response's latency. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  let next = 0;
  const request: autocannon.Request = {
    method: options.method ?? 'GET',
    path: `${target.pathname}${target.search}`,
    setupRequest: (base, context) => {
      const index = next++;
      context.index = index;
      const extra = options.request?.(index) ?? {};
      return { ...base, path: extra.path ?? base.path, headers: { ...base.headers, ...extra.headers }, body: extra.body ?? base.body };
    },
  };
  const { onResponse } = options;
  if (onResponse) request.onResponse = (status, body, context) => onResponse(context.index as number, status, body);

  const latencies: number[] = [];
  const latenciesByStatus = new Map<number, number[]>();
  let errors = 0;
  const startedAt = performance.now();
  // autocannon settles on its one-second tick, not at the last answer: timing the run to its
  // promise would round a 1.2 s run up to 2 s, and a fast side's throughput down by up to half.
  let lastAnswerAt = startedAt;
  // autocannon rejects options that are present but undefined.
  const instance = autocannon({
    url: target.origin,
    // autocannon refuses more connections than requests.
    connections: Math.min(options.connections, options.amount ?? Infinity),
    ...(options.amount === undefined ? { duration: options.seconds } : { amount: options.amount }),
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    timeout: 10,
    requests: [request],
  });
  instance.on('response', (_client, status, _bytes, latencyMs) => {
    lastAnswerAt = performance.now();
    latencies.push(latencyMs);
    const forStatus = latenciesByStatus.get(status) ?? [];
    forStatus.push(latencyMs);
    latenciesByStatus.set(status, forStatus);
  });
  instance.on('reqError', () => {
    errors += 1;
  });
  let cutShort = false;
  const stopper = setTimeout(() => {
    cutShort = true;
    instance.stop();
  }, options.maxSeconds * 1000);
  try {
    await instance;
  } finally {
    clearTimeout(stopper);
  }
  const seconds = ((options.amount === undefined ? performance.now() : lastAnswerAt) - startedAt) / 1000;
  return { responses: latencies.length, throughput: latencies.length / seconds, latency: summarize(latencies), latenciesByStatus, errors, seconds, cutShort };
}

/** "201×2999, 400×1": every status a run got, for spotting errors at a glance. */
export const statusCounts = (result: LoadResult): string =>
  [...result.latenciesByStatus].sort(([a], [b]) => a - b).map(([status, list]) => `${status}×${list.length}`).join(', ') || 'no answers';
