import Link from 'next/link';
import type { WaitlistEntry } from '@/lib/types';
import { ordinal } from '@/lib/waitlist';
import { JoinWaitlistButton } from './JoinWaitlistButton';

/**
 * The ticket page's waiting-list part for a signed-in buyer: where they are in line, their
 * offer, or (for a reserved ticket) the button to join. `entry` is their place in line for it, if any.
 */
export function WaitlistPanel({ ticketId, entry, reserved }: { ticketId: string; entry: WaitlistEntry | undefined; reserved: boolean }) {
  if (entry?.status === 'offered') {
    return (
      <p className="alert alert-info" role="status" data-testid="waitlist-offer">
        It’s your turn: this ticket is held for you. Buy it now, or see the time left on <Link href="/waitlist">My waiting list</Link>.
      </p>
    );
  }
  if (entry) {
    return (
      <p className="alert alert-info" role="status" data-testid="waitlist-position">
        You’re {ordinal(entry.position)} on the <Link href="/waitlist">waiting list</Link> for this ticket.
      </p>
    );
  }
  return reserved ? <JoinWaitlistButton ticketId={ticketId} /> : null;
}
