/**
 * What the browser can read from a ticket code (`MT1.<base64url(order id ‖ ticket id ‖ signature)>`,
 * see common/src/ticket-codes): the ticket it is for, so the check-in page knows which ticket to
 * check in. Only the tickets service can tell whether the code is genuine.
 */

const CODE = /^MT1\.([A-Za-z0-9_-]{128})$/;

function base64UrlBytes(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
const uuidOf = (bytes: Uint8Array) => {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** The ticket id a well-formed code names (whitespace around it ignored), else undefined. */
export function ticketIdOfCode(raw: string): string | undefined {
  const match = CODE.exec(raw.trim());
  if (!match) return undefined;
  return uuidOf(base64UrlBytes(match[1]!).subarray(16, 32));
}
