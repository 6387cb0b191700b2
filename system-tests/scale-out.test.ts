/**
 * What an autoscaler does, on one machine: while shoppers run purchase flows, extra replicas of
 * the consuming services are started into the running stack (orders and payments first, then
 * tickets and expiration). Each new replica joins its service's durable consumers at once and
 * takes a share of the events; afterwards every service's records, Redis and Stripe must agree
 * (support/consistency.ts): nothing lost, nothing applied twice, no double charge.
 *
 * SCALE_OUT_LOAD_MS sets how long the load runs (default 20 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@microtick/common/testing';
import type { StackInstance } from '../infra/local/src/stack';
import type { ServiceName } from '../infra/local/src/stack-plan';
import { countOutcomes, settleAndCheck, shopUntil } from './support/purchase-run';
import { BusProbe, unreadyServices } from './support/settle';
import { StackDatabases } from './support/stack-databases';
import { type TestStack, useTestStack } from './support/test-stack';

const LOAD_MS = Number(process.env.SCALE_OUT_LOAD_MS ?? 20_000);
const WAVES: readonly (readonly [number, readonly ServiceName[]])[] = [
  [0.25, ['orders', 'payments']],
  [0.5, ['tickets', 'expiration']],
];

let stack: TestStack;
let databases: StackDatabases;
let bus: BusProbe;

useTestStack({ expirationWindowSeconds: 15 }, (running) => ({ stack, databases, bus } = running));

/** Events a service process took from JetStream and processed, from its own /metrics. */
async function processedBy(instance: StackInstance): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`)).text();
  return [...text.matchAll(/^events_handled_total\{[^}]*outcome="processed"[^}]*\} (\d+)/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
}

it('starting replicas of the consuming services mid-run loses nothing and applies nothing twice', async () => {
  const startedAt = Date.now();
  const added: StackInstance[] = [];
  const scaling = (async () => {
    for (const [fraction, services] of WAVES) {
      await sleep(Math.max(0, startedAt + LOAD_MS * fraction - Date.now()));
      added.push(...(await Promise.all(services.map((service) => stack.addReplica(service)))));
    }
  })();
  const [run] = await Promise.all([
    shopUntil(stack, { shoppers: 6, until: startedAt + LOAD_MS, seed: 2_026, plans: [['pay', 5], ['decline, then pay', 1], ['cancel', 2], ['let expire', 2]], purchaseBudgetMs: 45_000 }),
    scaling,
  ]);
  const { state, problems } = await settleAndCheck(stack, databases, bus, run, 60_000);
  const shares = await Promise.all(added.map(async (instance) => `${instance.label}: ${await processedBy(instance)}`));
  console.log(
    [
      `Scale-out run (${LOAD_MS / 1000} s of load): added ${added.map((i) => i.label).join(', ')}`,
      `  purchases: ${run.purchases.length} (${countOutcomes(run.purchases)}); orders ${state.orders.length}; Stripe charges ${state.charges.length}`,
      `  events processed by the added replicas: ${shares.join(', ')}`,
    ].join('\n'),
  );

  expect(problems).toEqual([]);
  expect(added.map((i) => i.label).sort()).toEqual(['expiration#2', 'orders#2', 'payments#2', 'tickets#2']);
  expect(stack.services.orders?.map((i) => i.label)).toEqual(['orders', 'orders#2']);
  // The new replicas did take part: the busiest consumers' events were shared with them.
  for (const instance of added.filter((i) => i.name === 'orders' || i.name === 'tickets')) {
    await waitFor(async () => (await processedBy(instance)) > 0, { timeoutMs: 5_000, what: `${instance.label} to have processed an event` });
  }
  expect(await unreadyServices(stack)).toEqual([]);
}, LOAD_MS + 180_000);
