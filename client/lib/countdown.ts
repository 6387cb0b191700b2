/**
 * Countdown math for an order's payment window.
 *
 * The deadline (`expiresAt`) is set by the server, so it is compared with the server's clock,
 * not the browser's: the server component passes its `Date.now()` along with the order, the
 * browser records the offset between the two clocks once, and from then on estimates the
 * server's time as `Date.now() + offset`. A browser whose clock is minutes off still shows
 * the right time left.
 */

/** How far the server's clock is ahead of the browser's, in ms (negative when behind). */
export function clockOffset(serverNow: number, clientNow: number): number {
  return serverNow - clientNow;
}

/** The browser's best estimate of the server's current time. */
export function serverTime(clientNow: number, offset: number): number {
  return clientNow + offset;
}

/**
 * When paying closes for an order that expires at `expiresAt`, in ms since the epoch: at
 * `expiresAt` itself, exactly when payments stops authorizing (payments/src/payments/deadline.ts).
 */
export function paymentDeadline(expiresAt: string): number {
  return Date.parse(expiresAt);
}

/** Milliseconds left until `expiresAt` at server time `now`; never negative. */
export function msRemaining(expiresAt: string | number, now: number): number {
  const deadline = typeof expiresAt === 'number' ? expiresAt : Date.parse(expiresAt);
  if (Number.isNaN(deadline)) return 0;
  return Math.max(0, deadline - now);
}

/**
 * "14:59", "0:05", "1:02:03". Seconds are rounded up, so the display reads "0:00" only once
 * the window has really closed, and the first second shown is the full window.
 */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${ss}`;
  return `${minutes}:${ss}`;
}

/** Words for screen readers: "14 minutes 59 seconds", "5 seconds". */
export function describeRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (hours) parts.push(`${hours} ${hours === 1 ? 'hour' : 'hours'}`);
  if (minutes) parts.push(`${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`);
  if (seconds || parts.length === 0) parts.push(`${seconds} ${seconds === 1 ? 'second' : 'seconds'}`);
  return parts.join(' ');
}

/** Delay until the displayed second changes, so a ticking display stays aligned. */
export function msUntilNextTick(ms: number): number {
  if (ms <= 0) return 0;
  const rest = ms % 1000;
  return rest === 0 ? 1000 : rest;
}
