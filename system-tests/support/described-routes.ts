import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

const readDescription = (): Description => JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Description;

/** The generated API description (npm run docs:api; common/src/api/api-docs.test.ts keeps it current). */
const OPENAPI_FILE = path.join(__dirname, '../../docs/openapi.json');

/**
 * Every operation docs/openapi.json describes, as `METHOD /path/:param` (`POST /api/tickets`,
 * `GET /api/orders/:id`): the route list the authorization matrix and the fuzzer must cover, so
 * a route added to common/src/api is tested or a test names it as missing.
 */
export function describedRoutes(): string[] {
  const document = readDescription();
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

function operationOf(description: Description, route: string): Operation {
  const [method = '', routePath = ''] = route.split(' ');
  const operation = description.paths[routePath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()];
  if (!operation) throw new Error(`docs/openapi.json does not describe ${route}`);
  return operation;
}

/** The members of `route`'s JSON body as docs/openapi.json describes them (`['title', 'price']`). */
export function describedBodyMembers(route: string): string[] {
  const description = readDescription();
  let schema = operationOf(description, route).requestBody?.content['application/json']?.schema;
  if (schema?.$ref) schema = description.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
  return Object.keys(schema?.properties ?? {});
}

/** The query parameters of `route` as docs/openapi.json describes them. */
export function describedQueryParameters(route: string): string[] {
  return (operationOf(readDescription(), route).parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
}
