import { createServiceApp } from '@microtick/common/http/create-service-app';
import type { BaseAppDeps } from '@microtick/common/service';
import type { Express } from 'express';

/**
 * Expiration serves no routes of its own: only health, readiness (NATS and Redis, composed by
 * startService) and metrics.
 */
export const buildApp = (deps: Omit<BaseAppDeps, 'jwtKey'>): Express => createServiceApp({ ...deps, routes: () => undefined });
