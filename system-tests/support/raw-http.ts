import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no normalisation of `..`, no re-encoding. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as these bytes; no content type is added for it. */
  body?: string | Uint8Array;
}

export interface RawResponse {
  status: number;
  contentType: string | undefined;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * One HTTP request over loopback with exactly the bytes given. `fetch` cannot do this: it
 * resolves `..` in paths and adds a content type to string bodies, which is the kind of
 * input the fuzzer needs to send untouched.
 */
export function sendRaw(baseUrl: string, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...request.headers },
        timeout: timeoutMs,
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], text: Buffer.concat(chunks).toString('utf8'), headers: response.headers }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer to ${request.method} ${request.path.slice(0, 100)} within ${timeoutMs} ms`)));
    // A server may answer (413) and close before reading the whole body; the answer is what counts.
    outgoing.on('error', (err) => {
      if (!answered) reject(err);
    });
    outgoing.end(body);
  });
}
