import { parseApiErrors } from './api-errors';
import type { ApiErrorItem } from './types';

/**
 * Browser-side calls to the API: relative URLs on the same origin, the session cookie sent
 * automatically. Never throws: a network failure is a result with status 0 and a message.
 */
export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; errors: ApiErrorItem[]; /** The whole answer, for errors that say more (a 409 check-in's first time). */ body?: unknown };

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export async function apiRequest<T>(
  method: ApiMethod,
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, errors: parseApiErrors(0, undefined) };
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return { ok: true, status: response.status, data: parsed as T };
  return { ok: false, status: response.status, errors: parseApiErrors(response.status, parsed), body: parsed };
}
