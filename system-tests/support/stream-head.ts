import http from 'node:http';
import type { RawRequest, RawResponse } from './raw-http';

/**
 * Like `sendRaw`, for a route whose successful answer is a stream that stays open (server-sent
 * events): a 2xx answer is judged by its status and headers and then closed (`text` is empty);
 * an error answer is read whole, to check its shape.
 */
export function sendForHead(baseUrl: string, request: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: hostname, port, method: request.method, path: request.path, headers: request.headers, timeout: timeoutMs }, (response) => {
      const answer = { status: response.statusCode ?? 0, contentType: response.headers['content-type'], headers: response.headers };
      if (answer.status < 400) {
        resolve({ ...answer, text: '' });
        outgoing.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ ...answer, text: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer to ${request.method} ${request.path} within ${timeoutMs} ms`)));
    outgoing.on('error', (err) => reject(err));
    outgoing.end(request.body);
  });
}
