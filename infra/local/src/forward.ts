import { request, type Agent, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Headers about one connection, not the message (RFC 9110 §7.6.1): never passed on. Node sets
 * its own Connection / Keep-Alive on each side and re-frames bodies (chunked when no length),
 * so the client and the upstream each keep their connection alive on their own terms.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** An upstream address, parsed once. */
export interface UpstreamAddress {
  hostname: string;
  port: number;
}

export const upstreamAddress = (url: string): UpstreamAddress => {
  const { hostname, port, protocol } = new URL(url);
  if (protocol !== 'http:') throw new Error(`upstream ${url}: only http is proxied`);
  return { hostname, port: Number(port) || 80 };
};

/**
 * The request's end-to-end headers plus what the edge saw (X-Forwarded-For/-Proto/-Host/-Port,
 * as ingress-nginx sends them). The client's own X-Forwarded-* were removed before this.
 * Headers the client's Connection header names are hop-by-hop too.
 */
export function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const named = req.headers.connection?.toLowerCase().split(',').map((name) => name.trim());
  const headers: OutgoingHttpHeaders = {};
  for (const name in req.headers) {
    if (!HOP_BY_HOP.has(name) && !named?.includes(name)) headers[name] = req.headers[name];
  }
  // A body's framing is the message's: keep it, so Node frames the forwarded body the same way.
  if (req.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = req.headers['transfer-encoding'];
  const encrypted = (req.socket as Socket & { encrypted?: boolean }).encrypted === true;
  const host = req.headers.host;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = encrypted ? 'https' : 'http';
  if (host !== undefined) headers['x-forwarded-host'] = host;
  headers['x-forwarded-port'] = /:(\d+)$/.exec(host ?? '')?.[1] ?? (encrypted ? '443' : '80');
  return headers;
}

/** The upstream's answer headers without the hop-by-hop ones, as a flat [name, value, …] list (repeats and case kept). */
function answerHeaders(raw: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase())) kept.push(raw[i] as string, raw[i + 1] as string);
  }
  return kept;
}

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
  const proxyReq = request({ ...upstream, agent: options.agent, method: req.method, path: req.url, headers: forwardedHeaders(req) });
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
    proxyRes.pipe(res);
  });
  res.on('close', () => {
    if (res.writableFinished || done) return;
    done = true;
    proxyReq.destroy();
  });
  req.pipe(proxyReq);
}

/**
 * A protocol upgrade (websockets, e.g. Next's dev reloads): asks the upstream for the same
 * upgrade on a connection of its own and, once it agrees, joins the two sockets. An upstream
 * that answers otherwise has its answer relayed and the connection closed.
 */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: UpstreamAddress, onError: (err: NodeJS.ErrnoException) => void): void {
  const headers = forwardedHeaders(req);
  headers.connection = 'upgrade';
  if (req.headers.upgrade !== undefined) headers.upgrade = req.headers.upgrade;
  const proxyReq = request({ ...upstream, agent: false, method: req.method, path: req.url, headers });
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
