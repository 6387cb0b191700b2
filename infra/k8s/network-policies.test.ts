import type { Manifest } from './testing/kustomize';
import { ofKind, type INetworkPolicy, type IService } from './testing/models';
import { allows, APP_NAMESPACE, namedBySomePolicy, type Destination, type Peer } from './testing/network-policy';
import { NODE_SERVICES, OVERLAYS, render, type Overlay } from './testing/overlays';
import { containerEnvironment, containersOf, workloads, type Workload } from './testing/workloads';

/**
 * The NetworkPolicies, evaluated: every connection a workload's configuration says it makes is
 * allowed, every other connection between MicroTick's pods is denied, and from outside only the
 * gateway (to the routed services), the metrics scraper (metrics ports) and KEDA (NATS monitoring)
 * get in.
 */
const ENVOY: Peer = { namespace: 'envoy-gateway-system', labels: { 'app.kubernetes.io/managed-by': 'envoy-gateway' } };
const SCRAPER: Peer = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const KEDA: Peer = { namespace: 'keda', labels: { 'app.kubernetes.io/name': 'keda-operator' } };
const STRANGER: Peer = { namespace: 'default', labels: { app: 'anything' } };
/** Envoy Gateway runs a listener on port p < 1024 at container port p + 10000. */
const envoyPort = (listenerPort: number) => (listenerPort < 1024 ? listenerPort + 10_000 : listenerPort);
const ROUTED = ['auth', 'tickets', 'orders', 'payments', 'client'];

interface Connection {
  from: string;
  to: string;
  port: number;
}

describe.each(OVERLAYS)('%s', (overlay: Overlay) => {
  const manifests = render(overlay);
  const policies = ofKind<INetworkPolicy>(manifests, 'NetworkPolicy');
  const all = workloads(manifests);
  const pod = (w: Workload): Destination => ({
    namespace: APP_NAMESPACE,
    labels: w.labels,
    ports: containersOf(w).flatMap((c) => (c.ports ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort }))),
  });
  const named = (name: string): Workload => {
    const found = all.find((w) => w.name === name);
    if (!found) throw new Error(`no workload ${name}`);
    return found;
  };
  const needs = connectionsConfigured(manifests, all);

  test('everything is denied unless allowed: one default-deny for every pod, both directions', () => {
    expect(policies.find((p) => p.metadata?.name === 'default-deny')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('every workload is covered by a policy of its own', () => {
    expect(all.filter((w) => !namedBySomePolicy(policies, pod(w))).map((w) => w.name)).toEqual([]);
  });

  test('the connections each workload is configured to make are allowed', () => {
    expect(needs.length).toBeGreaterThan(10);
    expect(needs.filter(({ from, to, port }) => !allows(policies, pod(named(from)), pod(named(to)), port))).toEqual([]);
  });

  test('every other connection between MicroTick pods is denied', () => {
    // Connections set in config files rather than environment: NATS's cluster routes, the collector's
    // exporter; and the emulator's webhooks to payments (its setting arrives with the webhook work).
    const fromConfigFiles = (c: Connection) =>
      (c.from === 'nats' && c.to === 'nats' && named('nats').replicas > 1 && c.port === 6222) ||
      (c.from === 'otel-collector' && c.to === 'jaeger' && c.port === 4317) ||
      (c.from === 'stripe-emulator' && c.to === 'payments' && c.port === 3004);
    const unexpected: Connection[] = [];
    for (const from of all) {
      for (const to of all) {
        for (const { containerPort: port } of pod(to).ports) {
          const connection = { from: from.name, to: to.name, port };
          const expected = needs.some((n) => n.from === from.name && n.to === to.name && n.port === port) || fromConfigFiles(connection);
          if (!expected && allows(policies, pod(from), pod(to), port)) unexpected.push(connection);
        }
      }
    }
    expect(unexpected).toEqual([]);
  });

  test("from outside: the gateway reaches the routed services' http port, the scraper the metrics ports, KEDA NATS monitoring", () => {
    const reachable = (peer: Peer) =>
      all.flatMap((w) => pod(w).ports.filter((p) => allows(policies, peer, pod(w), p.containerPort)).map((p) => `${w.name}:${p.name}`)).sort();
    expect(reachable(ENVOY)).toEqual(ROUTED.map((name) => `${name}:http`).sort());
    const natsMetrics = named('nats').pod.containers.some((c) => c.name === 'nats-exporter') ? ['nats:metrics'] : [];
    expect(reachable(SCRAPER)).toEqual([...NODE_SERVICES.map((name) => `${name}:http`), 'nats:monitor', ...natsMetrics].sort());
    expect(reachable(KEDA)).toEqual(['nats:monitor']);
    expect(reachable(STRANGER)).toEqual([]);
  });

  test('every pod may resolve names, and nothing else leaves for the outside except what payments needs', () => {
    const dns: Destination = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [{ containerPort: 53 }] };
    const internet: Destination = { namespace: '', labels: {}, ip: '52.1.2.3', ports: [{ containerPort: 443 }] };
    const privateNet: Destination = { ...internet, ip: '10.1.2.3' };
    for (const w of all) {
      expect(allows(policies, pod(w), dns, 53, 'UDP')).toBe(true);
      expect(allows(policies, pod(w), internet, 443)).toBe(overlay === 'prod' && w.name === 'payments');
      expect(allows(policies, pod(w), privateNet, 443)).toBe(false);
      expect(allows(policies, pod(w), { ...STRANGER, ports: [{ containerPort: 80 }] }, 80)).toBe(false);
    }
  });

  test('the evaluator itself: without the default deny, a pod no policy names is open', () => {
    const open = policies.filter((p) => p.metadata?.name !== 'default-deny' && p.metadata?.name !== 'dns');
    const unnamed: Destination = { namespace: APP_NAMESPACE, labels: { 'app.kubernetes.io/name': 'newcomer' }, ports: [{ name: 'http', containerPort: 8080 }] };
    expect(allows(open, STRANGER, unnamed, 8080)).toBe(true);
    expect(allows(policies, STRANGER, unnamed, 8080)).toBe(false);
  });
});

/**
 * The connections each workload's own configuration makes: the hosts in its environment's URLs
 * (DATABASE_URL, NATS_URL, REDIS_URL, STRIPE_API_URL, OTEL_EXPORTER_OTLP_ENDPOINT), resolved to the workload behind that
 * Service and its container port. (The client's API_BASE_URL points outside, at the gateway.)
 */
function connectionsConfigured(manifests: Manifest[], all: Workload[]): Connection[] {
  const services = ofKind<IService>(manifests, 'Service');
  const connections: Connection[] = [];
  for (const workload of all) {
    for (const container of containersOf(workload)) {
      const env = containerEnvironment(container, manifests).values;
      for (const key of ['DATABASE_URL', 'NATS_URL', 'REDIS_URL', 'STRIPE_API_URL', 'STRIPE_EMULATOR_WEBHOOK_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
        for (const raw of (env.get(key) ?? '').split(',').filter(Boolean)) {
          const url = new URL(raw.replace(/\$\([A-Z_]+\)/g, 'x'));
          const service = services.find((s) => url.hostname.split('.').includes(s.metadata?.name ?? ''));
          if (!service) throw new Error(`${workload.name}: ${key} names ${url.hostname}, no Service of ours`);
          const target = all.find((w) => Object.entries(service.spec?.selector ?? {}).every(([k, v]) => w.labels[k] === v));
          const servicePort = service.spec?.ports?.find((p) => p.port === Number(url.port));
          const containerPort = containersOf(target as Workload)
            .flatMap((c) => c.ports ?? [])
            .find((p) => p.name === servicePort?.targetPort || p.containerPort === servicePort?.targetPort)?.containerPort;
          if (!target || !containerPort) throw new Error(`${workload.name}: ${raw} leads to no container port`);
          connections.push({ from: workload.name, to: target.name, port: containerPort });
        }
      }
    }
  }
  return connections;
}

test("prod: the client's server-side rendering reaches the in-cluster Gateway's proxies", () => {
  const prod = render('prod');
  const client = workloads(prod).find((w) => w.name === 'client') as Workload;
  const apiBaseUrl = new URL(containerEnvironment(client.pod.containers[0] ?? { name: '' }, prod).values.get('API_BASE_URL') ?? '');
  const port = envoyPort(Number(apiBaseUrl.port || 80));
  const proxy: Destination = { ...ENVOY, ports: [{ containerPort: port }] };
  expect(allows(ofKind<INetworkPolicy>(prod, 'NetworkPolicy'), { namespace: APP_NAMESPACE, labels: client.labels }, proxy, port)).toBe(true);
});
