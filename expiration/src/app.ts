import type { RequestListener } from 'node:http';
import { createProbeServer } from '@microtick/common/http/probe-server';
import type { BaseAppDeps } from '@microtick/common/service';

/**
 * Expiration serves no routes of its own: only health, readiness (NATS and Redis, composed by
 * startService) and metrics, on node:http without Express.
 */
export const buildApp = (deps: Omit<BaseAppDeps, 'jwtKey'>): RequestListener => createProbeServer(deps);
