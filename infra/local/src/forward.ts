import { randomUUID } from 'node:crypto';
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Headers about one connection, not the message (RFC 9110 §7.6.1): never passed on. Node sets
 * its own Connection / Keep-Alive on each side and re-frames bodies (chunked when no length),
 * so the client and the upstream each keep their connection alive on their own terms.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * An upstream address, parsed once: a TCP host and port, or a unix socket. `host` is the Host
 * header for a client (HTTP/1.0) that sent none.
 */
export type UpstreamAddress = ({ hostname: string; port: number } | { socketPath: string }) & { host: string };

/** What the local runner's services also listen on (config HTTP_SOCKET), as an upstream: `unix:` and an absolute path. */
export const UNIX_UPSTREAM_PREFIX = 'unix:';

/** `http://host:port`, or `unix:/absolute/path.sock` for a service's unix socket. */
export const upstreamAddress = (target: string): UpstreamAddress => {
  if (target.startsWith(UNIX_UPSTREAM_PREFIX)) {
    const socketPath = target.slice(UNIX_UPSTREAM_PREFIX.length);
    if (!socketPath.startsWith('/')) throw new Error(`upstream ${target}: the socket path must be absolute`);
    return { socketPath, host: 'localhost' };
  }
  const { hostname, port, protocol } = new URL(target);
  if (protocol !== 'http:') throw new Error(`upstream ${target}: only http is proxied`);
  const portNumber = Number(port) || 80;
  return { hostname, port: portNumber, host: `${hostname}:${portNumber}` };
};

/** Headers only the edge may set: a client sending them could fake its address or https. */
const EDGE_HEADERS = new Set(['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip']);
const REQUEST_ID = /^[\w.-]{1,100}$/;

/**
 * The request's end-to-end headers plus what the edge saw (X-Forwarded-For/-Proto/-Host/-Port,
 * as ingress-nginx sends them), as a flat [name, value, …] list made in one pass over the raw
 * headers (repeats and case kept), so node does not build `req.headers` for it. Whatever
 * X-Forwarded-* the client sent is dropped (the edge's own replace it), and so are the
 * hop-by-hop headers and those the client's Connection header names. The client's
 * X-Request-Id is kept when there is exactly one and it is well formed, else a new one is made.
 */
function forwardedHead(req: IncomingMessage, upstream: UpstreamAddress): { headers: string[]; hasBody: boolean } {
  const raw = req.rawHeaders;
  // A message without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3).
  let hasBody = false;
  let named: string[] | undefined;
  let host: string | undefined;
  let requestIds = 0;
  let requestId: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'connection') (named ??= []).push(...(raw[i + 1] as string).toLowerCase().split(',').map((part) => part.trim()));
    else if (name === 'host') host ??= raw[i + 1];
    else if (name === 'transfer-encoding' || (name === 'content-length' && raw[i + 1] !== '0')) hasBody = true;
    else if (name === 'x-request-id') {
      requestIds++;
      requestId = raw[i + 1];
    }
  }
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    // A body's framing is the message's: Transfer-Encoding is kept, so Node frames the forwarded body the same way.
    if (name !== 'transfer-encoding' && (HOP_BY_HOP.has(name) || named?.includes(name))) continue;
    if (EDGE_HEADERS.has(name) || name === 'x-request-id') continue;
    headers.push(raw[i] as string, raw[i + 1] as string);
  }
  const encrypted = (req.socket as Socket & { encrypted?: boolean }).encrypted === true;
  headers.push(
    'x-request-id', requestIds === 1 && REQUEST_ID.test(requestId as string) ? (requestId as string) : randomUUID(),
    'x-forwarded-for', req.socket.remoteAddress ?? '',
    'x-forwarded-proto', encrypted ? 'https' : 'http',
  );
  // Node adds no Host to a request whose headers are a list; an HTTP/1.0 client may have sent none.
  if (host === undefined) headers.push('host', upstream.host);
  else headers.push('x-forwarded-host', host);
  headers.push('x-forwarded-port', /:(\d+)$/.exec(host ?? '')?.[1] ?? (encrypted ? '443' : '80'));
  return { headers, hasBody };
}

/** The upstream's answer headers without the hop-by-hop ones, as a flat [name, value, …] list (repeats and case kept). */
function answerHeaders(raw: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase())) kept.push(raw[i] as string, raw[i + 1] as string);
  }
  return kept;
}

/** node's own margin (HTTP_AGENT_KEEP_ALIVE_TIMEOUT_BUFFER): a socket is let go this long before the server's hinted timeout. */
const KEEP_ALIVE_HINT_MARGIN_MS = 1_000;

/**
 * The keep-alive agent for upstream connections, as node's own (`keepAlive: true` and an idle
 * `timeout`; a server's shorter `Keep-Alive: timeout=` hint wins, less node's margin), except
 * that the hint is read from the answer's raw headers: node's `keepSocketAlive` reads
 * `res.headers`, which builds the whole header object of every answer for that one header
 * (the gateway forwards `rawHeaders` and never needs it).
 */
export class UpstreamAgent extends Agent {
  constructor(private readonly idleTimeoutMs: number) {
    super({ keepAlive: true, timeout: idleTimeoutMs });
  }

  override keepSocketAlive(socket: Socket): boolean {
    socket.setKeepAlive(true, 1_000);
    socket.unref();
    let timeout = this.idleTimeoutMs;
    const hint = keepAliveHintMs((socket as Socket & { _httpMessage?: { res?: IncomingMessage } })._httpMessage?.res?.rawHeaders);
    if (hint !== undefined) {
      const usable = hint - KEEP_ALIVE_HINT_MARGIN_MS;
      if (usable <= 0) return false;
      timeout = Math.min(timeout, usable);
    }
    if (socket.timeout !== timeout) socket.setTimeout(timeout);
    return true;
  }
}

function keepAliveHintMs(raw: readonly string[] | undefined): number | undefined {
  if (!raw) return undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).length === 10 && (raw[i] as string).toLowerCase() === 'keep-alive') {
      const seconds = /^timeout=(\d+)/.exec(raw[i + 1] as string)?.[1];
      return seconds === undefined ? undefined : Number(seconds) * 1000;
    }
  }
  return undefined;
}

/** Where node's `request` connects: host and port, or the socket path (the agent keeps connections per each). */
const connectionOf = (upstream: UpstreamAddress) => ('socketPath' in upstream ? { socketPath: upstream.socketPath } : { hostname: upstream.hostname, port: upstream.port });

export interface ForwardOptions {
  agent: Agent;
  /** No answer (no bytes) from the upstream for this long: `onError` with code ETIMEDOUT. */
  timeoutMs: number;
  /** Nothing was sent to the client yet unless `res.headersSent`. */
  onError(err: NodeJS.ErrnoException): void;
}

/**
 * Sends `req` to `upstream` over a kept-alive connection and streams the answer back as it
 * comes: status, headers and body untouched but for the hop-by-hop headers. A client that goes
 * away aborts the upstream request; an upstream that fails mid-answer cuts the client's.
 */
export function forward(req: IncomingMessage, res: ServerResponse, upstream: UpstreamAddress, options: ForwardOptions): void {
  const { headers, hasBody } = forwardedHead(req, upstream);
  const proxyReq = request({ ...connectionOf(upstream), agent: options.agent, method: req.method, path: req.url, headers });
  // Once the client has gone, the upstream request is ended on purpose: not a failure to report.
  let done = false;
  const fail = (err: NodeJS.ErrnoException) => {
    if (done) return;
    done = true;
    options.onError(err);
  };
  proxyReq.setTimeout(options.timeoutMs, () => {
    proxyReq.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
  });
  proxyReq.on('error', fail);
  proxyReq.on('response', (proxyRes) => {
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, answerHeaders(proxyRes.rawHeaders));
    proxyRes.on('error', () => res.destroy());
    proxyRes.on('aborted', () => res.destroy());
    // What `pipe` does, without its bookkeeping (unpipe, cleanup listeners) on every answer.
    proxyRes.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        proxyRes.pause();
        res.once('drain', () => proxyRes.resume());
      }
    });
    proxyRes.on('end', () => res.end());
  });
  res.on('close', () => {
    if (res.writableFinished || done) return;
    done = true;
    proxyReq.destroy();
  });
  // Most requests (GETs) have no body: ending the upstream request at once spares a pipe per request.
  if (hasBody) req.pipe(proxyReq);
  else proxyReq.end();
}

/**
 * A protocol upgrade (websockets, e.g. Next's dev reloads): asks the upstream for the same
 * upgrade on a connection of its own and, once it agrees, joins the two sockets. An upstream
 * that answers otherwise has its answer relayed and the connection closed.
 */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: UpstreamAddress, onError: (err: NodeJS.ErrnoException) => void): void {
  const { headers } = forwardedHead(req, upstream);
  headers.push('connection', 'upgrade');
  if (req.headers.upgrade !== undefined) headers.push('upgrade', req.headers.upgrade);
  const proxyReq = request({ ...connectionOf(upstream), agent: false, method: req.method, path: req.url, headers });
  socket.on('error', () => proxyReq.destroy());
  proxyReq.on('error', (err) => {
    socket.destroy();
    onError(err);
  });
  proxyReq.on('response', (proxyRes) => {
    socket.write(statusBlock(proxyRes.statusCode ?? 502, proxyRes.statusMessage, proxyRes.rawHeaders));
    proxyRes.pipe(socket);
  });
  proxyReq.on('upgrade', (proxyRes, proxySocket: Socket, proxyHead: Buffer) => {
    proxySocket.on('error', () => socket.destroy());
    socket.on('close', () => proxySocket.destroy());
    proxySocket.on('close', () => socket.destroy());
    socket.write(statusBlock(101, proxyRes.statusMessage, proxyRes.rawHeaders));
    if (proxyHead.length) socket.write(proxyHead);
    if (head.length) proxySocket.write(head);
    proxySocket.pipe(socket).pipe(proxySocket);
  });
  proxyReq.end();
}

const statusBlock = (status: number, message: string | undefined, raw: readonly string[]): string => {
  let text = `HTTP/1.1 ${status} ${message ?? ''}\r\n`;
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${text}\r\n`;
};
