import { loadRouteTable, routeFor } from '../local/src/routes';
import type { Manifest } from './testing/kustomize';
import { ofKind, type IEnvoyProxy, type IGateway, type IGatewayClass, type IHTTPRoute, type IService } from './testing/models';
import { NODE_SERVICES, OVERLAYS, render, type Overlay } from './testing/overlays';
import { containerEnvironment, workloads } from './testing/workloads';

/**
 * The Gateway API routes exactly like the local gateway (both follow infra/routes.yaml), long-lived
 * order streams are not cut, and nothing outside the cluster reaches the API over plain HTTP.
 */
const table = loadRouteTable();
const ENVOY_GATEWAY = 'gateway.envoyproxy.io/gatewayclass-controller';
const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';
const ORDER_EVENTS = { method: 'GET', path: { type: 'RegularExpression', value: '^/api/orders/[^/]+/events$' } };

type Rule = NonNullable<IHTTPRoute['spec']['rules']>[number];
const named = <T extends { metadata?: { name?: string } }>(items: T[], name: string): T => {
  const found = items.find((item) => item.metadata?.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};
const routeNamed = (manifests: Manifest[], name: string) => named(ofKind<IHTTPRoute>(manifests, 'HTTPRoute'), name);
const isPrefixRule = (rule: Rule) => rule.matches?.length === 1 && rule.matches[0]?.path?.type === 'PathPrefix' && !rule.matches[0].method;

/** The Service a Gateway's proxies get: ClusterIP only when its class's EnvoyProxy says so (Envoy Gateway's default: LoadBalancer). */
function serviceTypeOf(manifests: Manifest[], gateway: IGateway): string {
  const gatewayClass = named(ofKind<IGatewayClass>(manifests, 'GatewayClass'), gateway.spec.gatewayClassName);
  const ref = gatewayClass.spec.parametersRef;
  if (!ref) return 'LoadBalancer';
  expect(ref).toMatchObject({ group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', namespace: ENVOY_GATEWAY_NAMESPACE });
  const proxy = named(ofKind<IEnvoyProxy>(manifests, 'EnvoyProxy'), ref.name);
  expect(proxy.metadata?.namespace).toBe(ENVOY_GATEWAY_NAMESPACE);
  return proxy.spec.provider.kubernetes?.envoyService?.type ?? 'LoadBalancer';
}

/** Every (route, rule, listener) that serves traffic on a plain-HTTP listener reachable from outside the cluster. */
function plainHttpFromOutside(manifests: Manifest[]): { route: string; rule: Rule }[] {
  const found: { route: string; rule: Rule }[] = [];
  for (const route of ofKind<IHTTPRoute>(manifests, 'HTTPRoute')) {
    for (const parent of route.spec.parentRefs ?? []) {
      const gateway = named(ofKind<IGateway>(manifests, 'Gateway'), parent.name);
      if (serviceTypeOf(manifests, gateway) === 'ClusterIP') continue;
      // A parentRef without sectionName attaches to every listener.
      const listeners = gateway.spec.listeners.filter((l) => !parent.sectionName || l.name === parent.sectionName);
      if (!listeners.some((listener) => listener.protocol === 'HTTP')) continue;
      for (const rule of route.spec.rules ?? []) {
        const redirectsToHttps = !rule.backendRefs?.length && rule.filters?.length === 1 && rule.filters[0]?.requestRedirect?.scheme === 'https';
        if (!redirectsToHttps) found.push({ route: route.metadata?.name ?? '', rule });
      }
    }
  }
  return found;
}

describe.each(OVERLAYS)('%s', (overlay: Overlay) => {
  const manifests = render(overlay);
  const route = routeNamed(manifests, 'microtick');

  test('the HTTPRoute has the prefixes of infra/routes.yaml, each to its service and port', () => {
    const prefixRules = (route.spec.rules ?? []).filter(isPrefixRule);
    expect(prefixRules.map((rule) => ({ prefix: rule.matches?.[0]?.path?.value, backendRefs: rule.backendRefs }))).toEqual(
      table.routes.map(({ prefix, service }) => ({ prefix, backendRefs: [{ name: service, port: table.services[service]?.port }] })),
    );
    // Nothing else but the order stream's own rule.
    expect((route.spec.rules ?? []).filter((rule) => !isPrefixRule(rule)).map((rule) => rule.matches)).toEqual([[ORDER_EVENTS]]);
  });

  test('the order status stream goes to orders with no request timeout, so it is not cut while the order is open', () => {
    const stream = (route.spec.rules ?? []).find((rule) => rule.matches?.[0]?.path?.type === 'RegularExpression');
    expect(stream?.timeouts).toEqual({ request: '0s' });
    expect(stream?.backendRefs).toEqual([{ name: 'orders', port: table.services.orders?.port }]);
    const pattern = new RegExp(ORDER_EVENTS.path.value);
    expect(pattern.test('/api/orders/8d0f6c3e-1b5e-4c1e-9a59-1f2d3c4b5a69/events')).toBe(true);
    for (const other of ['/api/orders/1', '/api/orders/1/events/2', '/api/orders//events', '/api/orders/1/eventsx']) expect(pattern.test(other)).toBe(false);
    // Every other route keeps the implementation's default timeout.
    expect((route.spec.rules ?? []).filter((rule) => rule.timeouts).length).toBe(1);
  });

  test('unknown /api paths go to a service (its JSON 404 in the error shape), never to the web client', () => {
    for (const path of ['/api', '/api/anything-unknown', '/api/docs-that-do-not-exist']) {
      expect(NODE_SERVICES as readonly string[]).toContain(routeFor(table, path).service);
    }
  });

  test('every backend is a Service port that exists, and every routed service listens on the port infra/routes.yaml gives it', () => {
    const services = ofKind<IService>(manifests, 'Service');
    for (const { name, port } of ofKind<IHTTPRoute>(manifests, 'HTTPRoute').flatMap((r) => (r.spec.rules ?? []).flatMap((rule) => rule.backendRefs ?? []))) {
      expect(named(services, name).spec?.ports?.map((p) => p.port)).toContain(port);
    }
    for (const [service, { port }] of Object.entries(table.services)) expect(named(services, service).spec?.ports?.[0]?.port).toBe(port);
  });

  test('every Gateway has a GatewayClass of Envoy Gateway among the manifests', () => {
    const gateways = ofKind<IGateway>(manifests, 'Gateway');
    expect(gateways.map((g) => g.metadata?.name).sort()).toEqual(['microtick', 'microtick-internal']);
    for (const gateway of gateways) expect(named(ofKind<IGatewayClass>(manifests, 'GatewayClass'), gateway.spec.gatewayClassName).spec.controllerName).toBe(ENVOY_GATEWAY);
  });

  test("the client's server-side API calls go over plain HTTP to the in-cluster Gateway, whose Service is ClusterIP", () => {
    const internal = named(ofKind<IGateway>(manifests, 'Gateway'), 'microtick-internal');
    expect(serviceTypeOf(manifests, internal)).toBe('ClusterIP');
    expect(route.spec.parentRefs).toContainEqual({ name: 'microtick-internal', sectionName: 'http' });
    const client = workloads(manifests).find((w) => w.name === 'client')?.pod.containers[0];
    if (!client) throw new Error('no client container');
    const apiBaseUrl = new URL(containerEnvironment(client, manifests).values.get('API_BASE_URL') ?? '');
    const proxyService = ofKind<IEnvoyProxy>(manifests, 'EnvoyProxy')[0]?.spec.provider.kubernetes?.envoyService?.name;
    expect(apiBaseUrl.protocol).toBe('http:');
    expect(apiBaseUrl.hostname).toBe(`${proxyService}.${ENVOY_GATEWAY_NAMESPACE}.svc.cluster.local`);
    expect(apiBaseUrl.port).toBe(''); // 80, the internal listener's
    expect(internal.spec.listeners.map((l) => l.port)).toEqual([80]);
  });
});

test('dev serves microtick.local over HTTP (a development cluster on your own machine)', () => {
  const gateway = named(ofKind<IGateway>(render('dev'), 'Gateway'), 'microtick');
  expect(gateway.spec.listeners).toEqual([{ name: 'http', protocol: 'HTTP', port: 80, hostname: 'microtick.local' }]);
});

describe('prod', () => {
  const prod = render('prod');
  const gateway = named(ofKind<IGateway>(prod, 'Gateway'), 'microtick');

  test('serves its host over HTTPS with the certificate microtick-tls', () => {
    const https = gateway.spec.listeners.find((l) => l.protocol === 'HTTPS');
    expect(https?.hostname).not.toBe('microtick.local');
    expect(https?.tls).toEqual({ mode: 'Terminate', certificateRefs: [{ name: 'microtick-tls' }] });
    expect(routeNamed(prod, 'microtick').spec.parentRefs).toContainEqual({ name: 'microtick', sectionName: 'https' });
  });

  test('plain HTTP from outside the cluster only redirects to HTTPS: no API route is served over it', () => {
    expect(plainHttpFromOutside(prod)).toEqual([]);
    expect(routeNamed(prod, 'microtick-https-redirect').spec.rules).toEqual([
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ]);
  });

  test('the check finds a route served over plain HTTP from outside', () => {
    const broken = structuredClone(prod);
    const route = broken.find((m) => m.kind === 'HTTPRoute' && m.metadata.name === 'microtick') as unknown as IHTTPRoute;
    route.spec.parentRefs = [{ name: 'microtick' }]; // every listener, port 80 included
    expect(plainHttpFromOutside(broken).length).toBe(route.spec.rules?.length);
    expect(plainHttpFromOutside(render('dev')).length).toBeGreaterThan(0);
  });
});
