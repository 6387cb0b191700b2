import type { BadgeTone } from './order-state';
import type { WaitlistEntry, WaitlistStatus } from './types';

/** What orders answers a buyer who orders a ticket offered to someone on its waiting list. */
export const OFFERED_TO_SOMEONE_ELSE = 'This ticket is being offered to someone on the waiting list';

export const waitlistBadge: Record<WaitlistStatus, { label: string; tone: BadgeTone }> = {
  waiting: { label: 'Waiting', tone: 'info' },
  offered: { label: 'Your turn', tone: 'success' },
  expired: { label: 'Offer expired', tone: 'neutral' },
  ended: { label: 'Ended', tone: 'neutral' },
};

/** "1st", "2nd", "3rd", "4th", … "11th", "12th", "13th", "21st". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** The user's entry for a ticket that is still in line (waiting or offered), if any. */
export const activeEntryFor = (entries: WaitlistEntry[], ticketId: string): WaitlistEntry | undefined =>
  entries.find((entry) => entry.ticketId === ticketId && (entry.status === 'waiting' || entry.status === 'offered'));
