import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The generated API description (npm run docs:api; common/src/api/api-docs.test.ts keeps it current). */
const OPENAPI_FILE = path.join(__dirname, '../../docs/openapi.json');

/**
 * Every operation docs/openapi.json describes, as `METHOD /path/:param` (`POST /api/tickets`,
 * `GET /api/orders/:id`): the route list the authorization matrix and the fuzzer must cover, so
 * a route added to common/src/api is tested or a test names it as missing.
 */
export function describedRoutes(): string[] {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([route, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${route.replace(/\{([^}]+)\}/g, ':$1')}`));
}

/** The described routes a test's table has no entry for, and the entries it has for routes not described. */
export function routeCoverage(tableRoutes: readonly string[]): { missing: string[]; notDescribed: string[] } {
  const described = describedRoutes();
  return {
    missing: described.filter((route) => !tableRoutes.includes(route)),
    notDescribed: tableRoutes.filter((route) => !described.includes(route)),
  };
}
