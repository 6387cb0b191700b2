import net from 'node:net';

/**
 * Counts the socket writes (`_write` and `_writev`, each one syscall) made by every TCP socket of
 * this process while `run` runs — or only by those connected to `toPort` (e.g. Postgres', when
 * HTTP requests run too): how tests pin that statements meant to share a round trip leave in one
 * write. Make sure no connection is opened meanwhile (its handshake would count).
 */
export async function countingWrites<T>(run: () => Promise<T>, options: { toPort?: number } = {}): Promise<{ result: T; writes: number }> {
  const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', (this: net.Socket, ...args: unknown[]) => unknown>;
  const original = { write: socket._write, writev: socket._writev };
  let writes = 0;
  const counts = (target: net.Socket) => options.toPort === undefined || target.remotePort === options.toPort;
  socket._write = function (...args: unknown[]) {
    if (counts(this)) writes += 1;
    return original.write.apply(this, args);
  };
  socket._writev = function (...args: unknown[]) {
    if (counts(this)) writes += 1;
    return original.writev.apply(this, args);
  };
  try {
    return { result: await run(), writes };
  } finally {
    socket._write = original.write;
    socket._writev = original.writev;
  }
}
