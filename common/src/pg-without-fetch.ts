/**
 * Loads `pg` once, with Node's lazy `Response` global hidden while its module body runs.
 *
 * pg asks at load time whether it runs in a Cloudflare Worker (pg/lib/stream.js,
 * `isCloudflareRuntime`): it checks `navigator.userAgent` and, where there is no `navigator` (Node
 * 20; Node ≥ 21 has one and stops there), builds a `new Response(...)`. On Node 20 that first touch
 * of `Response` loads undici, Node's whole fetch implementation, into a process that never uses
 * fetch: about 4 MB of resident memory in each service with a database (heap, and pages of the node
 * binary holding undici's source), measured 5 s after start (docs/benchmarks-history.md, "Wave 7 — memory").
 * With `Response` undefined for the duration of that `require`, pg's check answers "not
 * Cloudflare" without it, as it does on Node ≥ 21. The global is put back as it was (still lazy),
 * so code that does use fetch later gets it as usual.
 *
 * Imported first by everything in common that loads pg (index.ts, service-database.ts), so it runs
 * before any other `require('pg')` of a service.
 */
const response = Object.getOwnPropertyDescriptor(globalThis, 'Response');
if (response?.configurable) {
  Object.defineProperty(globalThis, 'Response', { value: undefined, configurable: true, writable: true });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('pg');
  } finally {
    Object.defineProperty(globalThis, 'Response', response);
  }
}

export {};
