/**
 * Orders decides when a reservation lapses; expiration only keeps the timer and the client only
 * counts down to this instant, so this is the one place the payment window is applied.
 */
export const expiresAtFor = (placedAt: Date, windowSeconds: number): Date => new Date(placedAt.getTime() + windowSeconds * 1000);

/**
 * Fairness at the deadline, not correctness: an expiration waits this long (from when this
 * process first received it) for every `payment:created` published before it to be applied, so
 * an authorization made before `expiresAt` normally wins even when the two events arrive out of
 * order (different consumers, or both queued during an outage). Past it the order is cancelled
 * anyway and payments voids the authorization: the saga is correct whichever commits first.
 */
export const EXPIRATION_FAIRNESS_WAIT_MS = 10_000;
