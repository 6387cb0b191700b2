/**
 * Where to go after signing in: only a path on this site. Anything else (another origin,
 * a protocol-relative `//host`, `javascript:`) falls back to the home page, so a crafted
 * sign-in link cannot send someone elsewhere.
 */
export function safeNextPath(raw: string | string[] | null | undefined, fallback = '/'): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f]/.test(value)) return fallback;
  if (value.startsWith('/auth/')) return fallback;
  return value;
}

/** The sign-in link that comes back to `path` afterwards. */
export function signInHref(path: string): string {
  const next = safeNextPath(path, '');
  return next ? `/auth/signin?next=${encodeURIComponent(next)}` : '/auth/signin';
}
