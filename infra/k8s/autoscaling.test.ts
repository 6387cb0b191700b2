import { existsSync } from 'node:fs';
import path from 'node:path';
import { durableName, type AnyListener } from '@microtick/common';
import { ofKind, type IHorizontalPodAutoscaler, type IScaledObject, type IService } from './testing/models';
import { APP_DEPLOYMENTS, NODE_SERVICES, render, repoRoot } from './testing/overlays';
import { containerEnvironment, workloads } from './testing/workloads';

/**
 * Production's replica counts follow the work: each consuming service scales on the lag of every
 * durable consumer it reads (read from its code, so a new listener without a trigger fails here),
 * auth and tickets on CPU, and the manifests never pin a replica count an autoscaler owns.
 */
const prod = render('prod');
const scaledObjects = ofKind<IScaledObject>(prod, 'ScaledObject');
const hpas = ofKind<IHorizontalPodAutoscaler>(prod, 'HorizontalPodAutoscaler');

/** The durable consumers a service reads, from its listener list. */
function consumersOf(service: string): string[] {
  const folder = path.join(repoRoot, service, 'src/events/listeners');
  if (!existsSync(folder)) return [];
  const module = require(folder) as Record<string, unknown>;
  const list = Object.values(module).find((value): value is readonly AnyListener[] | ((deps: never) => AnyListener[]) => Array.isArray(value) || typeof value === 'function');
  if (!list) return [];
  // payments builds its listeners from a Stripe client: only their event names are read here.
  const listeners = typeof list === 'function' ? (list as (deps: { stripe: unknown }) => AnyListener[])({ stripe: {} }) : list;
  return listeners.map((listener) => durableName(service, listener.event)).sort();
}
const consuming = NODE_SERVICES.filter((service) => consumersOf(service).length > 0);

test('the consuming services are tickets, orders, payments and expiration', () => {
  expect([...consuming].sort()).toEqual(['expiration', 'orders', 'payments', 'tickets']);
});

describe.each(consuming)('%s', (service) => {
  const scaled = scaledObjects.find((s) => s.metadata?.name === service);
  const lagTriggers = (scaled?.spec.triggers ?? []).filter((t) => t.type === 'nats-jetstream');

  test('scales on the lag of every durable consumer it reads, and of nothing else', () => {
    expect(scaled?.spec.scaleTargetRef).toEqual({ name: service });
    expect(lagTriggers.map((t) => t.metadata?.consumer).sort()).toEqual(consumersOf(service));
  });

  test("each trigger reads the service's stream from NATS's monitoring port, in the namespace of the docs", () => {
    const nats = ofKind<IService>(prod, 'Service').find((s) => s.metadata?.name === 'nats');
    const monitor = nats?.spec?.ports?.find((p) => p.name === 'monitor')?.port;
    const container = workloads(prod).find((w) => w.name === service)?.pod.containers[0] ?? { name: '' };
    const stream = containerEnvironment(container, prod).values.get('NATS_STREAM');
    for (const trigger of lagTriggers) {
      expect(trigger.metadata).toMatchObject({ natsServerMonitoringEndpoint: `nats.microtick.svc.cluster.local:${monitor}`, account: '$G', stream });
      expect(Number(trigger.metadata?.lagThreshold)).toBeGreaterThan(0);
    }
  });

  test('keeps at least two replicas and may grow', () => {
    expect(scaled?.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    expect(scaled?.spec.maxReplicaCount).toBeGreaterThan(scaled?.spec.minReplicaCount ?? 0);
  });
});

test('auth scales on CPU with an HPA, tickets with a CPU trigger beside its lag triggers', () => {
  const auth = hpas.find((h) => h.metadata?.name === 'auth');
  expect(auth?.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'auth' });
  expect(auth?.spec?.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
  expect(auth?.spec?.minReplicas).toBeGreaterThanOrEqual(2);
  const tickets = scaledObjects.find((s) => s.metadata?.name === 'tickets');
  expect(tickets?.spec.triggers).toContainEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } });
});

test('one autoscaler per Deployment at most; an autoscaled Deployment pins no replica count and requests CPU', () => {
  const targets = [...scaledObjects.map((s) => s.spec.scaleTargetRef.name), ...hpas.map((h) => h.spec?.scaleTargetRef.name)];
  expect(new Set(targets).size).toBe(targets.length);
  for (const name of targets) {
    const deployment = prod.find((m) => m.kind === 'Deployment' && m.metadata.name === name) as { spec?: { replicas?: number } } | undefined;
    expect(deployment).toBeDefined();
    expect(deployment?.spec?.replicas).toBeUndefined();
    expect(workloads(prod).find((w) => w.name === name)?.pod.containers[0]?.resources?.requests?.cpu).toBeDefined();
  }
});

test('production runs at least two of every application Deployment, fixed or autoscaled, each with a disruption budget', () => {
  const minimum = (name: string) =>
    scaledObjects.find((s) => s.spec.scaleTargetRef.name === name)?.spec.minReplicaCount ??
    hpas.find((h) => h.spec?.scaleTargetRef.name === name)?.spec?.minReplicas ??
    workloads(prod).find((w) => w.name === name)?.replicas;
  for (const name of APP_DEPLOYMENTS) {
    expect(minimum(name)).toBeGreaterThanOrEqual(2);
    expect(prod.find((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === name)).toMatchObject({
      spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
    });
  }
});

test('development runs one of each, with no autoscaler', () => {
  const dev = render('dev');
  expect(dev.filter((m) => m.kind === 'ScaledObject' || m.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  for (const name of APP_DEPLOYMENTS) expect(workloads(dev).find((w) => w.name === name)?.replicas).toBe(1);
});
