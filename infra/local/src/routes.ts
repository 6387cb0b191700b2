import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** infra/routes.yaml; the same relative path from src/ (tests) and dist/ (built). */
export const defaultRouteTableFile = path.join(__dirname, '../../routes.yaml');

const serviceName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case DNS label');

const routeTableSchema = z
  .object({
    services: z.record(serviceName, z.object({ port: z.number().int().min(1).max(65535) }).strict()),
    routes: z
      .array(
        z
          .object({
            prefix: z.string().regex(/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/, 'an absolute path without a trailing slash'),
            service: serviceName,
          })
          .strict(),
      )
      .min(1),
  })
  .strict()
  .superRefine((table, ctx) => {
    const seen = new Set<string>();
    table.routes.forEach((route, index) => {
      if (!(route.service in table.services)) {
        ctx.addIssue({ code: 'custom', path: ['routes', index, 'service'], message: `unknown service "${route.service}"` });
      }
      if (seen.has(route.prefix)) ctx.addIssue({ code: 'custom', path: ['routes', index, 'prefix'], message: `duplicate prefix "${route.prefix}"` });
      seen.add(route.prefix);
    });
    if (!seen.has('/')) ctx.addIssue({ code: 'custom', path: ['routes'], message: 'needs a "/" route: every path must go somewhere' });
  });

export type RouteTable = z.infer<typeof routeTableSchema>;
export type Route = RouteTable['routes'][number];

/** Parses and validates a routing table written in YAML (or JSON, which is YAML too). */
export function parseRouteTable(text: string, source = 'route table'): RouteTable {
  const result = routeTableSchema.safeParse(parse(text));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`Invalid ${source}:\n${problems.join('\n')}`);
}

export const loadRouteTable = (file = defaultRouteTableFile): RouteTable => parseRouteTable(readFileSync(file, 'utf8'), file);

/** Whether `pathname` is `prefix` or below it, by whole segments (Kubernetes `Prefix` matching). */
export const matchesPrefix = (prefix: string, pathname: string): boolean =>
  prefix === '/' || pathname === prefix || pathname.startsWith(`${prefix}/`);

/** The route for a request path: the longest matching prefix wins. */
export function routeFor(table: RouteTable, pathname: string): Route {
  let best: Route | undefined;
  for (const route of table.routes) {
    if (matchesPrefix(route.prefix, pathname) && (!best || route.prefix.length > best.prefix.length)) best = route;
  }
  // parseRouteTable guarantees a "/" route, which matches everything.
  if (!best) throw new Error(`no route for ${pathname}`);
  return best;
}
