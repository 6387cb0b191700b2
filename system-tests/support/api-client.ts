import { randomUUID } from 'node:crypto';

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export interface ApiError {
  errors: { message: string; field?: string }[];
}

/**
 * One visitor talking to the gateway over HTTP, keeping its session cookie like a browser
 * would. Every request is bounded by a timeout.
 */
export class ApiClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string, readonly email?: string) {}

  get<T>(path: string): Promise<ApiResponse<T>> {
    return this.request('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request('PUT', path, body);
  }

  delete<T>(path: string): Promise<ApiResponse<T>> {
    return this.request('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    for (const header of response.headers.getSetCookie()) this.keepCookie(header);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private keepCookie(header: string): void {
    const [pair = ''] = header.split(';');
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim();
    const value = pair.slice(separator + 1).trim();
    const expired = /expires=Thu, 01 Jan 1970/i.test(header) || /max-age=0\b/i.test(header);
    if (!value || expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

/** A new user, signed up and signed in through the gateway. */
export async function signUp(baseUrl: string): Promise<ApiClient> {
  const email = `buyer-${randomUUID().slice(0, 8)}@example.com`;
  const client = new ApiClient(baseUrl, email);
  const { status, body } = await client.post<unknown>('/api/users/signup', { email, password: 'correct horse battery' });
  if (status !== 201) throw new Error(`sign-up failed with ${status}: ${JSON.stringify(body)}`);
  return client;
}
