/**
 * Wraps an API operation in what every Stripe endpoint does around it: authentication, the
 * account lookup, the optional latency, and (for POSTs) the idempotency layer.
 */
import type { Request, RequestHandler, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { StripeApiError } from '../errors';
import { fingerprint, MAX_IDEMPOTENCY_KEY_LENGTH, type SavedResponse } from '../idempotency';
import { asFormObject } from '../params';
import type { RequestContext } from '../payment-intents';
import type { EmulatorState } from '../state';
import { authenticate } from './auth';
import { requestIdOf } from './request-id';

/** The version the SDK pins (stripe@23); used when a client sends no `Stripe-Version`. */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

export type Operation = (ctx: RequestContext, pathId: string) => unknown;

export interface ApiRouteDeps {
  state: EmulatorState;
  latencyMs: number;
}

function pathIdOf(req: Request): string {
  const id = req.params['id'];
  return typeof id === 'string' ? id : '';
}

function errorResponse(error: unknown, requestId: string): SavedResponse {
  if (error instanceof StripeApiError) return { status: error.status, body: { error: error.body }, requestId };
  return {
    status: 500,
    body: { error: { type: 'api_error', message: 'An unknown error occurred in the Stripe emulator.' } },
    requestId,
  };
}

/**
 * Stripe keeps the result once the endpoint has started executing (success, card error, 5xx) but
 * not for requests rejected up front: invalid parameters (400), unknown objects (404).
 */
function isSaved(status: number): boolean {
  return status < 400 || status === 402 || status >= 500;
}

function send(res: Response, response: SavedResponse): void {
  res.status(response.status).json(response.body);
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined || key === '') return undefined;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new StripeApiError(400, {
      type: 'idempotency_error',
      message: `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long.`,
    });
  }
  return key;
}

export function createApiRoute({ state, latencyMs }: ApiRouteDeps) {
  const delay = async () => {
    if (latencyMs > 0) await sleep(latencyMs);
  };

  async function execute(operation: Operation, ctx: RequestContext, req: Request, requestId: string) {
    await delay();
    try {
      return { status: 200, body: operation(ctx, pathIdOf(req)), requestId };
    } catch (error) {
      return errorResponse(error, requestId);
    }
  }

  /** A read: GET with query parameters, never idempotency-keyed. */
  function read(operation: Operation): RequestHandler {
    return async (req, res) => {
      const apiKey = authenticate(req.get('authorization'));
      const ctx: RequestContext = {
        account: state.account(apiKey),
        params: asFormObject(req.query),
        apiVersion: req.get('stripe-version') ?? DEFAULT_API_VERSION,
      };
      send(res, await execute(operation, ctx, req, requestIdOf(res)));
    };
  }

  /** A write: POST with a form body, replayed under its `Idempotency-Key`. */
  function write(operation: Operation): RequestHandler {
    return async (req, res) => {
      const apiKey = authenticate(req.get('authorization'));
      const account = state.account(apiKey);
      const params = asFormObject(req.body);
      const ctx: RequestContext = { account, params, apiVersion: req.get('stripe-version') ?? DEFAULT_API_VERSION };
      const requestId = requestIdOf(res);
      const key = idempotencyKeyOf(req);
      if (key === undefined) {
        send(res, await execute(operation, ctx, req, requestId));
        return;
      }
      res.set('Idempotency-Key', key);
      const decision = account.idempotency.begin(key, {
        endpoint: `POST ${req.baseUrl}${req.path}`,
        fingerprint: fingerprint(params),
      });
      if (decision.kind === 'reject') throw decision.error;
      if (decision.kind === 'replay') {
        res.set({ 'Idempotent-Replayed': 'true', 'Original-Request': decision.response.requestId });
        send(res, decision.response);
        return;
      }
      let response: SavedResponse | undefined;
      try {
        response = await execute(operation, ctx, req, requestId);
      } finally {
        account.idempotency.finish(key, response !== undefined && isSaved(response.status) ? response : undefined);
      }
      send(res, response);
    };
  }

  return { read, write };
}
