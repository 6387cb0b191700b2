/**
 * What the Kubernetes setup relies on from a running stack:
 * - the alerts and the Grafana dashboard (infra/k8s/components/monitoring) read metrics the
 *   services really serve: a stack runs one purchase, then every service's GET /metrics is read.
 *   Metrics other branches are adding are listed (METRICS_EXPECTED_FROM_OTHER_BRANCHES) and
 *   reported while missing;
 * - an unknown /api path answers a JSON 404 in the error shape through the gateway (routes.yaml
 *   sends it to a service; the HTTPRoute follows the same table).
 */
import { METRICS_EXPECTED_FROM_OTHER_BRANCHES, metricsUsed, NATS_EXPORTER_METRICS } from '../infra/k8s/testing/monitoring';
import { SERVICES } from '../infra/local/src/stack-plan';
import { errorShapeProblem } from './support/error-shape';
import { newRetryStats, purchase, Shopper } from './support/shopper';
import { startTestStack, type TestStack } from './support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** Metric families a service's /metrics declares (`# TYPE name kind`). */
async function served(url: string): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name as string);
}

it('every metric the alerts and the dashboard read is served by a service (or the NATS exporter)', async () => {
  const stats = newRetryStats();
  const deadline = Date.now() + 60_000;
  const [seller, buyer] = await Promise.all([Shopper.join(stack.url, stats, deadline), Shopper.join(stack.url, stats, deadline)]);
  expect((await purchase(seller as Shopper, buyer as Shopper, 'pay', deadline)).outcome).toBe('authorized');

  const available = new Set((await Promise.all(SERVICES.flatMap((service) => stack.services[service] ?? []).map((instance) => served(instance.url)))).flat());
  const missing = metricsUsed().filter((metric) => !available.has(metric) && !NATS_EXPORTER_METRICS.includes(metric));
  const stillExpected = METRICS_EXPECTED_FROM_OTHER_BRANCHES.filter((metric) => missing.includes(metric));
  if (stillExpected.length) console.log(`Read by the alerts and the dashboard, not served yet (expected from other branches): ${stillExpected.join(', ')}`);

  expect(missing.filter((metric) => !METRICS_EXPECTED_FROM_OTHER_BRANCHES.includes(metric))).toEqual([]);
  // Once one of them is served, it leaves the list (or the rules are renamed to what is served).
  expect(METRICS_EXPECTED_FROM_OTHER_BRANCHES.filter((metric) => available.has(metric))).toEqual([]);
}, 120_000);

it.each(['/api/anything-unknown', '/api', '/api/orders-of-another-kind/1'])('GET %s answers a JSON 404 in the error shape, not the web client', async (path) => {
  const response = await fetch(`${stack.url}${path}`);
  expect(response.status).toBe(404);
  expect(errorShapeProblem(response.headers.get('content-type') ?? undefined, await response.text())).toBeUndefined();
});
