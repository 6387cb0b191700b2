/**
 * What a batch handler's statements cost per event, in this tree's common and in another tree's
 * (e.g. main's, built in a worktree), loaded in one process: the A/B of wave 10's one statement
 * per window (docs/benchmarks-history.md, "Wave 10 — consumers and relays"). Each side gets its own
 * database of common's fixture schema and its own pool; a window of 20 events per transaction,
 * 4 transactions at once, the sides interleaved and their order reversed every other round;
 * client CPU (`process.cpuUsage`) and the CPU of each side's Postgres backends per event.
 *
 *   npm run bench:build && node bench/dist/window-statements-cost.js <other tree>/common/dist [--rounds 12] [--per-round 200]
 *
 * Groups: 20 outbox rows staged in one transaction (tickets' hold batch); 20 replica creations
 * with `createWithCommit` (payments' order:created); 20 replica updates to their next version
 * (orders' ticket:updated: `setTogether` where the tree has it, else `apply` each, sent together).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMsOf } from './cpu-usage';

type Common = typeof import('@microtick/common');
type Testing = typeof import('@microtick/common/testing');
type Tx = Parameters<Common['addToOutbox']>[0];
type Event = { id: string; version: number };
/** The replica API of either tree (the other may predate setTogether). */
interface Replica {
  createWithCommit(tx: Tx, event: Event, values: { title: string }): Promise<void>;
  apply(tx: Tx, event: Event, change: { set: { title: string } }): Promise<unknown>;
  setTogether?(tx: Tx, changes: { event: Event; set: { title: string } }[]): Promise<void>;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '12' }, 'per-round': { type: 'string', default: '200' } } });
const [otherDist] = positionals;
if (!otherDist) {
  console.error('usage: node bench/dist/window-statements-cost.js <other tree>/common/dist [--rounds 12] [--per-round 200]');
  process.exit(2);
}
const rounds = Number(values.rounds);
const perRound = Number(values['per-round']);
const EVENTS = 20;
const AT_ONCE = 4;
const fixtureMigrations = path.join(__dirname, '../../common/src/testing/fixture-migrations');

interface Side {
  name: string;
  common: Common;
  database: Awaited<ReturnType<Testing['createTestDatabase']>>;
  items: Replica;
  backends(): Promise<number[]>;
}

async function openSide(name: string, dist: string): Promise<Side> {
  const common = require(path.resolve(dist, 'index.js')) as Common;
  const testing = require(path.resolve(dist, 'testing/index.js')) as Testing;
  const { replicaItems } = require(path.resolve(dist, 'testing/replica-fixture.js')) as { replicaItems: Parameters<Common['versionedReplica']>[0] };
  const database = await testing.createTestDatabase({ name: `window_cost_${name}`, migrationsFolder: fixtureMigrations });
  // As in a service, whose relay publishes at commit: no NOTIFY.
  common.publishOnCommit(database.pool, { publishCommitted: () => undefined });
  const databaseName = new URL(database.url).pathname.slice(1);
  return {
    name,
    common,
    database,
    items: common.versionedReplica(replicaItems, { what: 'item' }) as unknown as Replica,
    backends: async () =>
      (await database.pool.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databaseName])).rows.map((row) => row.pid),
  };
}

const ticket = () => ({ id: randomUUID(), version: 0, title: 'Concert', price: 10, userId: randomUUID(), orderId: null });

type Group = (side: Side, ids: string[]) => Promise<unknown>;
const groups: Record<string, Group> = {
  'outbox rows': (side) =>
    side.database.db.transaction(async (tx) => {
      for (let i = 0; i < EVENTS; i++) await side.common.addToOutbox(tx, 'ticket:updated', ticket());
    }),
  'replica creations': (side) =>
    side.database.db.transaction(async (tx) => {
      for (let i = 0; i < EVENTS; i++) await side.items.createWithCommit(tx, { id: randomUUID(), version: 0 }, { title: 'x' });
    }),
  'replica next versions': (side, ids) =>
    side.database.db.transaction(async (tx) => {
      const changes = ids.map((id) => ({ event: { id, version: 1 }, set: { title: 'y' } }));
      if (side.items.setTogether) await side.items.setTogether(tx, changes);
      else await side.common.answersInOrder(changes.map(({ event, set }) => side.items.apply(tx, event, { set })));
    }),
};

async function main(): Promise<void> {
  const sides = [await openSide('this', path.join(__dirname, '../../common/dist')), await openSide('other', otherDist!)];
  const totals = new Map<string, { client: number; postgres: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const [group, run] of Object.entries(groups)) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        await side.database.truncate();
        const windows = Array.from({ length: perRound }, () => Array.from({ length: EVENTS }, () => randomUUID()));
        if (group === 'replica next versions') {
          await side.database.pool.query("insert into replica_items (id, title, version) select id::uuid, 'x', 0 from unnest($1::text[]) as id", [windows.flat()]);
        }
        const pids = await side.backends();
        const postgresBefore = pids.map((pid) => cpuMsOf(pid) ?? 0);
        const clientBefore = process.cpuUsage();
        let next = 0;
        await Promise.all(Array.from({ length: AT_ONCE }, async () => { while (next < perRound) await run(side, windows[next++]!); }));
        const client = process.cpuUsage(clientBefore);
        const postgresMs = pids.reduce((sum, pid, i) => sum + (cpuMsOf(pid) ?? postgresBefore[i]!) - postgresBefore[i]!, 0);
        if (round === 0) continue; // warm-up: cold code, fresh sessions
        const key = `${group}: ${side.name}`;
        const total = totals.get(key) ?? { client: 0, postgres: 0 };
        total.client += (client.user + client.system) / (perRound * EVENTS);
        total.postgres += (postgresMs * 1000) / (perRound * EVENTS);
        totals.set(key, total);
      }
    }
  }
  console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${rounds - 1} rounds × ${perRound} windows of ${EVENTS} events, ${AT_ONCE} at once; this tree vs ${otherDist}`);
  for (const [key, total] of totals) {
    console.log(`  ${key}: client ${(total.client / (rounds - 1)).toFixed(1)} µs, Postgres ${(total.postgres / (rounds - 1)).toFixed(1)} µs CPU per event`);
  }
  for (const side of sides) await side.database.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
