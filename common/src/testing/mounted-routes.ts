import type { Express } from 'express';
import { apiRoutes } from '../api/routes';

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/**
 * `METHOD /path` of every route an Express app mounts under /api, found by walking its router
 * (and the routers mounted on it without a path, as every service does).
 */
export function mountedApiRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string' && layer.route.path.startsWith('/api/')) {
        for (const method of Object.keys(layer.route.methods)) if (method !== '_all') found.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return found.sort();
}

/** `METHOD /path` of every route common/src/api describes under `prefix` (`/api/tickets`). */
export const describedApiRoutes = (prefix: string): string[] =>
  apiRoutes
    .filter((route) => route.path === prefix || route.path.startsWith(`${prefix}/`))
    .map((route) => `${route.method.toUpperCase()} ${route.path}`)
    .sort();
