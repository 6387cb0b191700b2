/**
 * Orders decides when a reservation lapses; expiration only keeps the timer and the client only
 * counts down to this instant, so this is the one place the payment window is applied.
 */
export const expiresAtFor = (placedAt: Date, windowSeconds: number): Date => new Date(placedAt.getTime() + windowSeconds * 1000);
