import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { RequestValidationError } from '../errors/http-errors';

/** The zod schemas of a route's inputs; the same objects describe the route in docs/openapi.json. */
export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** What `validate(schemas)` made of the request: each part parsed (trimmed, converted) by its schema. */
export type ValidatedRequest<S extends RequestSchemas> = {
  [Part in keyof S]: S[Part] extends z.ZodType ? z.output<S[Part]> : never;
};

/** Reported in this order, so a client reads the errors in the order it wrote the URL and body. */
const PARTS = ['params', 'query', 'body'] as const;
type Part = (typeof PARTS)[number];

/** Where a request keeps what validate() parsed (a property, not a WeakMap entry the GC must trace per request). */
const PARSED = Symbol('validated');
type WithParsed = Request & { [PARSED]?: { schemas: RequestSchemas; values: Partial<Record<Part, unknown>> } };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A body that is no JSON object (none at all, an array, a form) is read as `{}`, so each
 * required member reports its own message under its own name instead of one complaint about
 * the body as a whole.
 */
const inputOf = (req: Request, part: Part): unknown => {
  const value: unknown = req[part];
  return isPlainObject(value) ? value : {};
};

/**
 * Validates the request's params, query and body with zod: any failure is a 400 in the SPEC's
 * error shape, one entry per input (`field` names it, e.g. `price` or `ticket.id`; the first
 * problem found for an input wins). On success `req.body` becomes the parsed body and
 * `validated(req, schemas)` gives every parsed part, typed.
 */
export function validate<S extends RequestSchemas>(schemas: S): RequestHandler {
  return (req, _res, next) => {
    const items: { message: string; field: string }[] = [];
    const seen = new Set<string>();
    const values: Partial<Record<Part, unknown>> = {};
    for (const part of PARTS) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(inputOf(req, part));
      if (result.success) {
        values[part] = result.data;
        continue;
      }
      for (const issue of result.error.issues) {
        const field = issue.path.length ? issue.path.map(String).join('.') : part;
        if (seen.has(field)) continue;
        seen.add(field);
        items.push({ message: issue.message, field });
      }
    }
    if (items.length) throw new RequestValidationError(items);
    if ('body' in values) req.body = values.body;
    (req as WithParsed)[PARSED] = { schemas, values };
    next();
  };
}

/** The parts `validate(schemas)` parsed for this request; only call behind that middleware. */
export function validated<S extends RequestSchemas>(req: Request, schemas: S): ValidatedRequest<S> {
  const entry = (req as WithParsed)[PARSED];
  if (entry?.schemas !== schemas) throw new Error('validated(req, schemas) needs validate(schemas) in front of the handler');
  return entry.values as ValidatedRequest<S>;
}
