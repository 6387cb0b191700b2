import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { ResponseDefinition, RouteDefinition } from './route-definition';
import { apiRoutes } from './routes';

/** `/api/tickets/:id` → `/api/tickets/{id}`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const responseConfig = ({ description, schema, contentType }: ResponseDefinition): ResponseConfig =>
  schema ? { description, content: { [contentType ?? 'application/json']: { schema } } } : contentType ? { description, content: { [contentType]: {} } } : { description };

const registerRoute = (registry: OpenAPIRegistry, route: RouteDefinition) => {
  const { body, query, params } = route.request;
  registry.registerPath({
    method: route.method,
    path: openApiPath(route.path),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.auth === 'session' ? { security: [{ session: [] }] } : {}),
    request: {
      ...(body ? { body: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      ...(query ? { query: query as z.ZodObject } : {}),
      ...(params ? { params: params as z.ZodObject } : {}),
    },
    responses: Object.fromEntries(Object.entries(route.responses).map(([status, response]) => [status, responseConfig(response)])),
  });
};

/**
 * The OpenAPI 3.1 description of every route in `apiRoutes`, from the same zod schemas the
 * routes validate with. Written to docs/openapi.json by `npm run docs:api`; a test fails when
 * the file is out of date.
 */
export function buildOpenApiDocument(routes: readonly RouteDefinition[] = apiRoutes) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'session',
    description: 'Set by sign-up and sign-in: a cookie-session cookie holding a JWT `{id, email}`.',
  });
  for (const route of routes) registerRoute(registry, route);
  return new OpenApiGeneratorV31(registry.definitions, { sortComponents: 'alphabetically' }).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'MicroTick HTTP API',
      version: '2.0.0',
      description:
        'Every route answers JSON; every error is `{"errors":[{"message","field?"}]}` (`field` names the invalid input). ' +
        'Malformed JSON → 400, unknown route → 404, unknown or malformed id → 404, a protected route without a valid session → 401. ' +
        'Generated from the zod schemas in common/src/api by `npm run docs:api`; do not edit by hand.',
    },
    servers: [{ url: '/', description: 'The gateway (npm start) or the Kubernetes ingress; one origin for every service.' }],
  });
}
