/**
 * The CPU one POST /api/orders costs a service's HTTP chain, or the gateway's hop, for two
 * builds side by side: each tree's server runs in a process of its own (http-chain-server.ts),
 * and rounds of requests alternate between them (their order reversed every other round), so a
 * change in the machine's load shifts both alike. The figure is the server process's CPU time
 * (user + system, /proc) per request.
 *
 *   npm run bench:build && node bench/dist/http-chain-cost.js [--target service|gateway]
 *     [--rounds 12] [--per-round 2000] [--connections 10] [--rate N] <tree A> <tree B>
 *
 * `service`: createServiceApp with a route shaped like POST /api/orders (session, requireAuth,
 * the per-user limiter, validate, a 201 JSON answer; no database), on a unix socket, the request
 * carrying what the gateway adds. `gateway`: the local gateway in front of one plain node:http
 * upstream answering what orders answers. The trees must be built (`npx tsc -b`).
 * BENCH_CPU_PROF=<dir> has each server write a CPU profile there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signSessionToken } from '@microtick/common';
import { cpuMsOf } from './cpu-usage';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string', default: 'service' },
    rounds: { type: 'string', default: '12' },
    'per-round': { type: 'string', default: '2000' },
    connections: { type: 'string', default: '10' },
    rate: { type: 'string' },
  },
});
const target = values.target as 'service' | 'gateway';
const rounds = Number(values.rounds);
const perRound = Number(values['per-round']);
const connections = Number(values.connections);
/** Requests per second over all connections (the stack's pace, ~700/s); unset: as fast as answers come. */
const rate = values.rate === undefined ? undefined : Number(values.rate);
const trees = positionals.map((tree) => path.resolve(tree));
if (trees.length !== 2 || (target !== 'service' && target !== 'gateway')) {
  console.error('usage: http-chain-cost.js [--target service|gateway] [--rounds N] [--per-round N] [--connections N] <tree A> <tree B>');
  process.exit(2);
}

/** BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there (sampled every 100 µs). */
const profileFlags = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
const BUYERS = 50;
const SERVER = path.join(__dirname, 'http-chain-server.js');
const jwtKey = randomBytes(32).toString('hex');
const cookies = Array.from({ length: BUYERS }, () => {
  const token = signSessionToken({ id: randomUUID(), email: `buyer-${randomUUID().slice(0, 8)}@example.com` }, jwtKey, 3600);
  return `session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;
});

/** Starts one server and resolves once it says `ready`; its stdout (log lines) is read and dropped. */
function startServer(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...profileFlags, SERVER, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BENCH_JWT_KEY: jwtKey, LOG_LEVEL: 'info' } });
  child.stdout?.resume();
  return new Promise((resolve, reject) => {
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
      if (errors.includes('ready\n')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`server ${args.join(' ')} exited with ${code}: ${errors}`)));
  });
}

interface Server {
  tree: string;
  process: ChildProcess;
  /** Where autocannon connects. */
  url: string;
  socketPath?: string;
  samples: number[];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'http-chain-'));
  const children: ChildProcess[] = [];
  try {
    const servers: Server[] = [];
    let upstreamSocket: string | undefined;
    if (target === 'gateway') {
      upstreamSocket = path.join(dir, 'upstream.sock');
      children.push(await startServer(['upstream', upstreamSocket]));
    }
    for (const [i, tree] of trees.entries()) {
      if (target === 'service') {
        const socketPath = path.join(dir, `service-${i}.sock`);
        const child = await startServer(['service', tree, socketPath]);
        children.push(child);
        servers.push({ tree, process: child, url: 'http://orders.internal', socketPath, samples: [] });
      } else {
        const port = 20_000 + Math.floor(Math.random() * 20_000);
        const child = await startServer(['gateway', tree, String(port), upstreamSocket as string]);
        children.push(child);
        servers.push({ tree, process: child, url: `http://127.0.0.1:${port}`, samples: [] });
      }
    }
    console.log(`${target}, ${rounds} rounds of ${perRound} requests, ${connections} connections${rate === undefined ? '' : `, ${rate}/s`}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
    await Promise.all(servers.map((server) => load(server, perRound)));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const before = cpuMsOf(server.process.pid as number) as number;
        await load(server, perRound);
        const after = cpuMsOf(server.process.pid as number) as number;
        server.samples.push(((after - before) * 1000) / perRound);
      }
    }
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
    const [a, b] = servers as [Server, Server];
    const differences = b.samples.map((sample, round) => sample - (a.samples[round] as number));
    const meanDifference = differences.reduce((sum, d) => sum + d, 0) / differences.length;
    const spread = Math.sqrt(differences.reduce((sum, d) => sum + (d - meanDifference) ** 2, 0) / (differences.length - 1) / differences.length);
    console.log(`B − A, paired by round: ${meanDifference.toFixed(1)} ± ${(2 * spread).toFixed(1)} µs per request (mean ± 2 standard errors)`);
    for (const server of servers) {
      const sorted = [...server.samples].sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      const median = sorted[Math.floor(sorted.length / 2)] as number;
      console.log(`${server.tree}: mean ${mean.toFixed(1)}, median ${median.toFixed(1)} µs per request (rounds: ${server.samples.map((s) => s.toFixed(0)).join(' ')})`);
    }
  } finally {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `amount` POST /api/orders, each for a fresh ticket id, from the buyers in turn. */
async function load(server: Server, amount: number): Promise<void> {
  let next = 0;
  const forwarded: Record<string, string> = target === 'service'
    ? { 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': '127.0.0.1:8080', 'x-forwarded-port': '8080' }
    : {};
  const result = await autocannon({
    url: server.url,
    ...(server.socketPath ? { socketPath: server.socketPath } : {}),
    connections,
    amount,
    ...(rate === undefined ? {} : { overallRate: rate }),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/api/orders',
        setupRequest: (request) => {
          const index = next++;
          const headers: Record<string, string> = { ...request.headers, 'content-type': 'application/json', cookie: cookies[index % BUYERS] as string, ...forwarded };
          if (target === 'service') headers['x-request-id'] = randomUUID();
          return { ...request, headers, body: JSON.stringify({ ticketId: randomUUID() }) };
        },
      },
    ],
  });
  const ok = result['2xx'];
  if (ok !== amount) throw new Error(`${server.tree}: ${ok} of ${amount} answered 2xx (${result.non2xx} others, ${result.errors} errors)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
