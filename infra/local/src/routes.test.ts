import { loadRouteTable, parseRouteTable, routeFor, type RouteTable } from './routes';
import { DEFAULT_PORTS, type ProcessName } from './stack-plan';

describe('infra/routes.yaml', () => {
  const table = loadRouteTable();

  it.each([
    ['/api/users/signup', 'auth'],
    ['/api/tickets', 'tickets'],
    ['/api/orders/1', 'orders'],
    ['/api/payments', 'payments'],
    ['/', 'client'],
    ['/orders/1', 'client'],
    ['/apiary', 'client'],
    // Unknown API paths get a service's JSON 404, not the client's HTML page.
    ['/api', 'auth'],
    ['/api/anything-unknown', 'auth'],
  ])('routes %s to %s', (path, service) => {
    expect(routeFor(table, path).service).toBe(service);
  });

  it('names the same ports the local runner uses', () => {
    for (const [service, { port }] of Object.entries(table.services)) expect(port).toBe(DEFAULT_PORTS[service as ProcessName]);
  });
});

describe('routeFor', () => {
  const table: RouteTable = parseRouteTable(`
services: { web: { port: 1 }, api: { port: 2 }, admin: { port: 3 } }
routes:
  - { prefix: /, service: web }
  - { prefix: /api, service: api }
  - { prefix: /api/admin, service: admin }
`);

  it('matches whole path segments only', () => {
    expect(routeFor(table, '/api').service).toBe('api');
    expect(routeFor(table, '/api/').service).toBe('api');
    expect(routeFor(table, '/apix').service).toBe('web');
  });

  it('prefers the longest prefix, whatever the order in the file', () => {
    expect(routeFor(table, '/api/admin/users').service).toBe('admin');
    expect(routeFor(table, '/api/administrators').service).toBe('api');
  });
});

describe('parseRouteTable', () => {
  const services = 'services: { web: { port: 3000 } }\n';

  it.each([
    ['a route to an unknown service', `${services}routes: [{ prefix: /, service: nope }]`, /routes\.0\.service: unknown service "nope"/],
    ['no "/" route', `${services}routes: [{ prefix: /api, service: web }]`, /needs a "\/" route/],
    ['a duplicate prefix', `${services}routes: [{ prefix: /, service: web }, { prefix: /, service: web }]`, /duplicate prefix/],
    ['a trailing slash', `${services}routes: [{ prefix: /, service: web }, { prefix: /api/, service: web }]`, /routes\.1\.prefix: an absolute path/],
    ['an unknown key', `${services}routes: [{ prefix: /, service: web, rewrite: /x }]`, /routes\.0/],
    ['a port out of range', 'services: { web: { port: 70000 } }\nroutes: [{ prefix: /, service: web }]', /services\.web\.port/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseRouteTable(text, 'test table')).toThrow(message);
  });
});
