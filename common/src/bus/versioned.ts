import { RetryLater } from './listener';

/**
 * The rule every version-ordered replica follows, given the version it holds (undefined when
 * it has no row yet) and the version an event carries:
 * - `apply` when the event is the next one;
 * - `stale` when it was already applied (nothing to do);
 * - otherwise the replica is behind: throws RetryLater so the event comes back later.
 */
export function checkVersion(current: number | undefined, incoming: number, what: string): 'apply' | 'stale' {
  if (current === undefined) {
    if (incoming === 0) return 'apply';
    throw new RetryLater(`${what}: have no version yet, got ${incoming}`);
  }
  if (incoming <= current) return 'stale';
  if (incoming === current + 1) return 'apply';
  throw new RetryLater(`${what}: have version ${current}, got ${incoming}`);
}
