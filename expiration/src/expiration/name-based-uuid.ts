import { createHash } from 'node:crypto';

/** Namespaces are a few constants: each is parsed once (parsing it was half the cost of an id). */
const namespaceBytesByUuid = new Map<string, Buffer>();

function namespaceBytes(namespace: string): Buffer {
  let bytes = namespaceBytesByUuid.get(namespace);
  if (!bytes) {
    bytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (bytes.length !== 16) throw new Error(`namespace is not a UUID: ${namespace}`);
    namespaceBytesByUuid.set(namespace, bytes);
  }
  return bytes;
}

/**
 * RFC 9562 version-5 UUID: the same (namespace, name) always gives the same id. We use it where
 * a retry must produce the very same event id, so JetStream's de-duplication can recognise it.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const bytes = createHash('sha1').update(namespaceBytes(namespace)).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
