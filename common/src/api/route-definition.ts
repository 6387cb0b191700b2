import { z } from 'zod';
import type { RequestSchemas } from '../http/validate';

/** The SPEC's error shape, which every 4xx and 5xx of every route has. */
export const errorItemJson = z.object({
  message: z.string(),
  field: z.string().optional().meta({ description: 'The input the message is about (body member, query or path parameter).' }),
});
export const errorResponseJson = z.object({ errors: z.array(errorItemJson) }).meta({ id: 'Errors', description: 'Every error answer: `{"errors":[{"message","field?"}]}`.' });

export interface ResponseDefinition {
  description: string;
  /** The JSON body; none for 204 or a non-JSON answer. */
  schema?: z.ZodType;
  /** When the body is not JSON (e.g. `text/event-stream`). */
  contentType?: string;
}

/** One HTTP route of the public API: what the service mounts and what docs/openapi.json says. */
export interface RouteDefinition<Request extends RequestSchemas = RequestSchemas> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** In Express form (`/api/tickets/:id`); the description writes `{id}`. */
  path: string;
  summary: string;
  description?: string;
  /** `session`: the session cookie of a signed-in user is required (401 without one). */
  auth: 'none' | 'session';
  /** The inputs `validate(route.request)` checks. */
  request: Request;
  responses: Record<number, ResponseDefinition>;
}

/** Keeps the literal schema types, so `validated(req, route.request)` is typed by the route. */
export const defineRoute = <Request extends RequestSchemas>(route: RouteDefinition<Request>): RouteDefinition<Request> => route;

/** A JSON answer. */
export const json = (schema: z.ZodType, description: string): ResponseDefinition => ({ description, schema });

/** Error answers in the error shape, by status. */
export const errors = (byStatus: Record<number, string>): Record<number, ResponseDefinition> =>
  Object.fromEntries(Object.entries(byStatus).map(([status, description]) => [status, { description, schema: errorResponseJson }]));

/**
 * A path segment naming a resource. Not validated as a UUID on purpose: an id that is no UUID
 * names nothing and answers 404 like an unknown one (SPEC §3), which the route decides.
 */
export const idParam = (what: string) =>
  z.object({ id: z.string().meta({ description: `The ${what}'s id (a UUID; anything else answers 404).`, format: 'uuid' }) });

/** Ids of resources in bodies and responses. */
export const uuid = z.uuid();
