import { loadRouteTable } from '../local/src/routes';
import { ofKind, type IIngress, type IService } from './testing/models';
import { OVERLAYS, render } from './testing/overlays';
import { containerEnvironment, workloads } from './testing/workloads';

/**
 * The ingress routes exactly like the local gateway: both read infra/routes.yaml's table (the
 * gateway at run time, the manifests through this test).
 */
const table = loadRouteTable();
const expectedPaths = table.routes.map((route) => ({
  path: route.prefix,
  pathType: 'Prefix',
  backend: { service: { name: route.service, port: { number: table.services[route.service]?.port } } },
}));

describe.each(OVERLAYS)('%s', (overlay) => {
  const manifests = render(overlay);
  const ingresses = ofKind<IIngress>(manifests, 'Ingress');
  const named = (name: string) => {
    const ingress = ingresses.find((i) => i.metadata?.name === name);
    if (!ingress) throw new Error(`no Ingress ${name}`);
    return ingress;
  };

  test.each(['microtick', 'microtick-internal'])('Ingress %s: ingress-nginx, one host, the paths of infra/routes.yaml', (name) => {
    const ingress = named(name);
    expect(ingress.spec?.ingressClassName).toBe('nginx');
    expect(ingress.spec?.rules).toHaveLength(1);
    expect(ingress.spec?.rules?.[0]?.http?.paths).toEqual(expectedPaths);
  });

  test('every routed service listens on the port infra/routes.yaml gives it', () => {
    for (const [service, { port }] of Object.entries(table.services)) {
      expect(ofKind<IService>(manifests, 'Service').find((s) => s.metadata?.name === service)?.spec?.ports?.[0]?.port).toBe(port);
    }
  });

  test("the client's server-side API calls go through the in-cluster Ingress, over plain HTTP", () => {
    const internal = named('microtick-internal');
    const client = workloads(manifests).find((w) => w.name === 'client')?.pod.containers[0];
    if (!client) throw new Error('no client container');
    const apiBaseUrl = new URL(containerEnvironment(client, manifests).values.get('API_BASE_URL') ?? '');
    expect(apiBaseUrl.protocol).toBe('http:');
    expect(apiBaseUrl.hostname).toBe(internal.spec?.rules?.[0]?.host);
    expect(internal.spec?.tls).toBeUndefined();
    expect(internal.metadata?.annotations?.['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('false');
  });
});

test('dev serves microtick.local over HTTP', () => {
  const ingress = ofKind<IIngress>(render('dev'), 'Ingress').find((i) => i.metadata?.name === 'microtick');
  expect(ingress?.spec?.rules?.[0]?.host).toBe('microtick.local');
  expect(ingress?.spec?.tls).toBeUndefined();
});

test('prod serves its host over TLS', () => {
  const ingress = ofKind<IIngress>(render('prod'), 'Ingress').find((i) => i.metadata?.name === 'microtick');
  const host = ingress?.spec?.rules?.[0]?.host;
  expect(host).not.toBe('microtick.local');
  expect(ingress?.spec?.tls).toEqual([{ hosts: [host], secretName: 'microtick-tls' }]);
});
