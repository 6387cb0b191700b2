import 'server-only';
import { cache } from 'react';
import { headers } from 'next/headers';
import { notFound, redirect, unstable_rethrow } from 'next/navigation';
import { parseApiErrors } from './api-errors';
import { signInHref } from './next-path';
import type { ApiErrorItem, CurrentUser } from './types';

/**
 * Server-side calls to the MicroTick API on behalf of the visitor.
 *
 * Server components cannot use relative URLs, so they call the origin's gateway at
 * `API_BASE_URL` (read at request time, server-side only; default: the local gateway) and
 * forward the visitor's `cookie`, so the API sees the same session the browser has. The
 * original host and protocol are passed on as `x-forwarded-*` for the services' logs and
 * cookie flags. Nothing here is cached: every answer is about one visitor, right now.
 */

const DEFAULT_API_BASE_URL = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 10_000;

export function apiBaseUrl(): string {
  const configured = process.env.API_BASE_URL?.trim();
  return (configured || DEFAULT_API_BASE_URL).replace(/\/+$/, '');
}

/** The API could not be reached, or answered in a way that is not a client error. */
export class ApiUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiUnavailableError';
  }
}

export type ServerResult<T> =
  | { ok: true; status: number; data: T; /** The `Link` header (next page of a listing), if any. */ link?: string }
  | { ok: false; status: number; errors: ApiErrorItem[] };

async function forwardedHeaders(): Promise<Headers> {
  const incoming = await headers();
  const out = new Headers({ accept: 'application/json' });
  const cookie = incoming.get('cookie');
  if (cookie) out.set('cookie', cookie);
  const host = incoming.get('x-forwarded-host') ?? incoming.get('host');
  if (host) out.set('x-forwarded-host', host);
  const proto = incoming.get('x-forwarded-proto');
  if (proto) out.set('x-forwarded-proto', proto);
  const forwardedFor = incoming.get('x-forwarded-for');
  if (forwardedFor) out.set('x-forwarded-for', forwardedFor);
  return out;
}

/**
 * GET `path` (e.g. `/api/tickets?limit=21`). 4xx answers come back as `{ ok: false }` for the
 * page to handle; a network failure, timeout or 5xx throws `ApiUnavailableError`, which the
 * nearest `error.tsx` turns into a friendly message with a retry button.
 */
export async function apiGet<T>(path: string): Promise<ServerResult<T>> {
  const url = `${apiBaseUrl()}${path}`;
  // Outside the try: reading the request's headers is what marks the page as dynamic.
  const requestHeaders = await forwardedHeaders();
  let response: Response;
  try {
    response = await fetch(url, {
      headers: requestHeaders,
      cache: 'no-store',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    unstable_rethrow(error);
    console.error(`[client] GET ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
    throw new ApiUnavailableError('The MicroTick API could not be reached.', 0);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, status: response.status, data: body as T, link: response.headers.get('link') ?? undefined };
  if (response.status >= 500 || response.status < 400) {
    console.error(`[client] GET ${path} answered ${response.status}`);
    throw new ApiUnavailableError(`The MicroTick API answered ${response.status}.`, response.status);
  }
  return { ok: false, status: response.status, errors: parseApiErrors(response.status, body) };
}

/**
 * The data of a resource the page cannot do without: 404 → the not-found page, 401 → sign in
 * and come back to `returnTo`; any other client error is unexpected and throws.
 */
export function unwrapOrFail<T>(result: ServerResult<T>, returnTo: string): T {
  if (result.ok) return result.data;
  if (result.status === 404) notFound();
  if (result.status === 401) redirect(signInHref(returnTo));
  throw new Error(`API answered ${result.status}: ${result.errors.map((e) => e.message).join('; ')}`);
}

export async function apiGetOrFail<T>(path: string, returnTo: string): Promise<T> {
  return unwrapOrFail(await apiGet<T>(path), returnTo);
}

/** The signed-in user, or null; once per request however many components ask. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const result = await apiGet<{ currentUser: CurrentUser | null }>('/api/users/currentuser');
  if (!result.ok) return null;
  const user = result.data?.currentUser;
  return user && typeof user.id === 'string' && typeof user.email === 'string'
    ? { id: user.id, email: user.email }
    : null;
});

/**
 * Like `apiGet`, but an unreachable API gives `undefined` instead of throwing: for extras a
 * page can do without.
 */
export async function apiGetOptional<T>(path: string): Promise<ServerResult<T> | undefined> {
  try {
    return await apiGet<T>(path);
  } catch (error) {
    unstable_rethrow(error);
    return undefined;
  }
}

/** For the layout: the user, or `undefined` when the API is down (the header says so). */
export async function getCurrentUserSafely(): Promise<CurrentUser | null | undefined> {
  try {
    return await getCurrentUser();
  } catch (error) {
    unstable_rethrow(error);
    return undefined;
  }
}

/** The signed-in user, or a redirect to sign in that comes back to `returnTo`. */
export async function requireUser(returnTo: string): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(signInHref(returnTo));
  return user;
}

/**
 * A server-only setting read at request time. Looked up by a computed name so that a
 * `NEXT_PUBLIC_` variable is not inlined at build time: one image serves any environment.
 */
export function runtimeEnv(name: string): string | undefined {
  const env: Record<string, string | undefined> = process.env;
  const value = env[name]?.trim();
  return value ? value : undefined;
}
